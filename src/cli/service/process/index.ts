/** What the cluster-service process sets before it loads the daemon. */
import { skipUnusedHeliaDefaults } from './lean-imports.ts'
import { keepHeapSmall } from './heap.ts'

export function prepareServiceProcess (): void {
  keepHeapSmall()
  skipUnusedHeliaDefaults()
}
