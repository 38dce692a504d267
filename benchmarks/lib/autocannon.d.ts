/** The part of autocannon's API that benchmarks/http.ts uses (the package ships no types; @types/autocannon is not a dependency). */
declare module 'autocannon' {
  interface Options {
    url: string
    method?: 'GET' | 'POST' | 'HEAD'
    connections?: number
    /** Seconds. */
    duration?: number
    headers?: Record<string, string>
  }
  interface Histogram { average: number, p50: number, p99: number, max: number, total: number }
  interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    non2xx: number
  }
  export default function autocannon (options: Options): Promise<Result>
}
