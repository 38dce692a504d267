/** Runs the CLI from source (`node --import tsx src/cli/entry.ts …`), as bin/ipfs-kit.js runs it from dist/. */
import { main } from './main.ts'

process.exitCode = await main(process.argv.slice(2))
