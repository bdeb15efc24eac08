// The page's next task, without setTimeout's clamping: a MessageChannel message is queued as a task of
// its own and runs as soon as what is queued before it has run. Calls made in one task run in that
// order in one later task.
export function messageChannelTasks(channel: { port1: { onmessage: unknown }; port2: { postMessage(message: unknown): void } } = new MessageChannel()): (run: () => void) => void {
  const queue: (() => void)[] = []
  channel.port1.onmessage = () => {
    for (const run of queue.splice(0)) run()
  }
  return (run) => {
    queue.push(run)
    if (queue.length === 1) channel.port2.postMessage(null)
  }
}
