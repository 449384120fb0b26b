import { strict as assert } from 'node:assert'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { FrameQueue } from '../../src/rpc/frame-queue.ts'
import { FrameType, encodeFrame } from '../../src/rpc/frames.ts'
import type { Frame } from '../../src/rpc/frames.ts'
import type { Stream } from '@libp2p/interface'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** A stream that only delivers what the test sends as 'message' events. */
function fakeStream (): Stream & { deliver: (frame: Frame) => void } {
  const target = new EventTarget()
  return Object.assign(target, {
    abort: () => {},
    deliver: (frame: Frame) => {
      target.dispatchEvent(Object.assign(new Event('message'), { data: encodeFrame(frame, 1 << 20) }))
    }
  }) as unknown as Stream & { deliver: (frame: Frame) => void }
}

describe('FrameQueue', function () {
  it('hands frames over in order and keeps none it handed over, though the queue never empties', async function () {
    const stream = fakeStream()
    const queue = new FrameQueue(stream, 1 << 20, () => {})
    stream.deliver([FrameType.Item, { n: 0 }])
    stream.deliver([FrameType.Item, { n: 1 }])
    const first = new WeakRef(queue.poll() as object)
    // a stream read as fast as it arrives: one frame always waiting
    let expected = 1
    for (let n = 2; n < 20_000; n++) {
      stream.deliver([FrameType.Item, { n }])
      assert.deepEqual(queue.poll(), [FrameType.Item, { n: expected++ }])
    }
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    assert.equal(first.deref(), undefined, 'the first frame is still referenced')
    queue.dispose()
  })
})
