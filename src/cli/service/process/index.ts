/** What the cluster-service process sets before it loads the daemon. */
import { skipUnusedHeliaDefaults } from './lean-imports.ts'
import { keepYoungGenerationSmall } from './young-generation.ts'

export function prepareServiceProcess (): void {
  keepYoungGenerationSmall()
  skipUnusedHeliaDefaults()
}
