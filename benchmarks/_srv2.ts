import http from 'node:http'
import net from 'node:net'
const body = Buffer.alloc(1024, 7)
const mode = process.argv[2]
if (mode === 'raw') {
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`)
  const resp = Buffer.concat([head, body])
  const s = net.createServer(sock => { sock.setNoDelay(true); sock.on('data', () => { sock.write(resp) }) })
  s.listen(0, '127.0.0.1', () => console.log((s.address() as any).port))
} else {
  const server = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length }); res.end(body) })
  server.keepAliveTimeout = 60000
  server.listen(0, '127.0.0.1', () => console.log((server.address() as any).port))
}
