// One audit record per deploy attempt (docs/rules.md#every-deploy-attempt-is-audited), built from the
// object's final result, so the record and the outputs say the same thing
// (docs/rules.md#outputs-agree-with-each-other-and-the-audit-record).
import { buildAuditRecord } from '../audit/record.js'
import type { ObjectResult } from '../model.js'
import type { PipelineContext } from './job.js'

/** Sends the result's audit record and notes the delivery in `result.audit` (and `error` under audit-required). */
export async function sendAudit(ctx: PipelineContext, result: ObjectResult): Promise<void> {
  if (!ctx.audit || result.auditAction === undefined) return
  const action = result.auditAction
  const record = buildAuditRecord(result, {
    source: ctx.audit.source,
    action,
    eventId: ctx.eventId(),
    timestamp: new Date(ctx.now())
  })
  const outcome = await ctx.audit.sink(record)
  result.audit = outcome.delivered ? 'true' : 'false'
  if (outcome.delivered) {
    ctx.log.info(
      `${result.customObjectId}: audit record ${action} delivered (idempotency key ${outcome.idempotencyKey}).`
    )
    return
  }
  const reason = outcome.reason ?? 'not delivered'
  if (ctx.audit.required) {
    result.error = result.error
      ? `${result.error}\n${reason} (audit-required is true)`
      : `${reason} (audit-required is true)`
  } else {
    ctx.log.warning(`${reason}. The deploy stands; set audit-required: true to fail the step on this.`)
  }
}
