/**
 * The S3-compatible server of `npm run bench:tiers`, in its own process so the
 * benchmark's peak RSS is the kit's (and the raw SDK's), not the server's.
 * Prints `{"port":N}` once listening on loopback; exits when stdin closes.
 */
import S3rver from 's3rver'

const [directory, bucket] = process.argv.slice(2) as [string, string]
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] })
const address = await server.run()
process.stdout.write(JSON.stringify({ port: address.port }) + '\n')
process.stdin.resume()
process.stdin.on('end', () => { void server.close().then(() => process.exit(0)) })
