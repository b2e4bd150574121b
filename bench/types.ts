// One measured row of a bench: what, how much, in which unit, and an optional remark.
export interface BenchRow {
  name: string
  value: number
  unit: string
  note?: string
}
