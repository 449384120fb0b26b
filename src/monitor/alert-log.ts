/** The most recent alerts, oldest first, at most `capacity` of them. */
import type { AlertJson } from '../api/types.ts'

export class AlertLog {
  private readonly capacity: number
  private readonly alerts: AlertJson[] = []

  constructor (capacity: number) {
    this.capacity = capacity
  }

  add (alert: AlertJson): void {
    this.alerts.push(alert)
    if (this.alerts.length > this.capacity) this.alerts.splice(0, this.alerts.length - this.capacity)
  }

  list (): AlertJson[] {
    return [...this.alerts]
  }
}
