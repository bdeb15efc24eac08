// The hub in its own process for the benchmark, so its CPU and RSS are measured alone (the test
// process also runs Playwright). Forked with IPC by join-and-cpu.bench.spec.ts:
//   node --conditions=parley-source --import ./register-ts.mjs hub-process.mjs
// Sends {type:'ready', url}; answers {type:'usage'} with process.cpuUsage() and memoryUsage().rss;
// closes the hub on {type:'close'}. `baselineRss` is this process before the hub is imported: node
// plus the TypeScript transpiler of the module hooks, which a built hub would not carry.
const baselineRss = process.memoryUsage().rss
const { startHub } = await import('../src/index.js')

const hub = await startHub({ host: '127.0.0.1', port: 0, quiet: true })
process.send({ type: 'ready', url: hub.url, baselineRss })

process.on('message', async (message) => {
  if (message.type === 'usage') {
    process.send({ type: 'usage', id: message.id, cpu: process.cpuUsage(), rss: process.memoryUsage().rss, at: performance.now() })
  } else if (message.type === 'close') {
    await hub.close()
    process.disconnect()
  }
})
