import { businessDate, dayNumber } from '../shared/business-date';

// The internal audit's sample of a claim (DOMAIN.md 5.2): drawn reproducibly from a recorded
// seed, sized by a percentage with a minimum, and weighted towards the riskier results.

/** A claimed family as the audit sample sees it. */
export interface AuditCandidate {
  familyId: string;
  attachedOn: string;
  /** The claim's as-of date. */
  asOf: string;
  /** Whether a discretionary override counted towards the result. */
  overridden: boolean;
}

export interface AuditSampleOptions {
  /** An unsigned 32-bit integer; recorded with the sample so it can be drawn again. */
  seed: number;
  /** Share of the claim's families to sample, in (0, 100]. */
  percent: number;
  /** The fewest families to sample (all of them when the claim has no more). */
  minimum: number;
}

/** DOMAIN.md 5.2: 10% of the families, at least 5 or all if fewer. [config] */
export const DEFAULT_AUDIT_SAMPLE = { percent: 10, minimum: 5 } as const;

/**
 * Risk weights (DOMAIN.md 5.2 "short interventions, claims soon after attachment, overrides").
 * The time from attachment to the claim's as-of date stands for both the length of the
 * intervention and how soon after attachment the result is claimed:
 * - under 183 days (6 months, shorter than the outcome tests' 6-month windows): weight 3;
 * - under 365 days (a short intervention): weight 2;
 * - otherwise: weight 1;
 * and a result that leans on a discretionary override has its weight doubled (so 1 to 6).
 */
export const AUDIT_RISK_WEIGHTS = { soonAfterAttachmentDays: 183, soonAfterAttachment: 3, shortInterventionDays: 365, shortIntervention: 2, overrideFactor: 2 } as const;

export function auditRiskWeight(family: AuditCandidate): number {
  const days = dayNumber(businessDate(family.asOf)) - dayNumber(businessDate(family.attachedOn));
  const w = AUDIT_RISK_WEIGHTS;
  const byTime = days < w.soonAfterAttachmentDays ? w.soonAfterAttachment : days < w.shortInterventionDays ? w.shortIntervention : 1;
  return family.overridden ? byTime * w.overrideFactor : byTime;
}

/** All of the families when there are `minimum` or fewer, else max(minimum, ⌈n × percent / 100⌉). */
export function auditSampleSize(familyCount: number, percent: number, minimum: number): number {
  if (familyCount <= minimum) return familyCount;
  return Math.min(familyCount, Math.max(minimum, Math.ceil((familyCount * percent) / 100)));
}

/**
 * Draws the audit sample: weighted sampling without replacement (Efraimidis–Spirakis: each family
 * gets the key u^(1/w) for a uniform u from the seeded generator and its risk weight w; the
 * largest keys are sampled). The families are put in `familyId` order before the draw, so the
 * sample depends only on the families, the seed, the percent and the minimum, never on the order
 * they were passed in. Returns the sampled family ids sorted by `familyId` for stable display.
 */
export function drawAuditSample(families: readonly AuditCandidate[], options: AuditSampleOptions): string[] {
  checkOptions(options);
  const ordered = [...families].sort((a, b) => compareIds(a.familyId, b.familyId));
  ordered.forEach((family, index) => {
    if (index > 0 && ordered[index - 1]?.familyId === family.familyId) throw new RangeError(`family ${family.familyId} is listed twice`);
  });
  const size = auditSampleSize(ordered.length, options.percent, options.minimum);
  const random = mulberry32(options.seed);
  // ln(u^(1/w)) = ln(u) / w keeps the keys' order and avoids underflow for small u and large w.
  const keyed = ordered.map((family) => ({ familyId: family.familyId, key: Math.log(random()) / auditRiskWeight(family) }));
  const chosen = keyed.sort((a, b) => b.key - a.key || compareIds(a.familyId, b.familyId)).slice(0, size);
  return chosen.map((c) => c.familyId).sort(compareIds);
}

/**
 * A seed for a sample drawn without one: the 32-bit FNV-1a hash of a text the caller chooses
 * (the claim id, say), so the same claim always gets the same seed and no clock or randomness is read.
 */
export function auditSeedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function isAuditSeed(seed: unknown): seed is number {
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff;
}

export function isAuditPercent(percent: unknown): percent is number {
  return typeof percent === 'number' && Number.isFinite(percent) && percent > 0 && percent <= 100;
}

/** mulberry32: a small seeded generator of uniform numbers in (0, 1) (never 0, so ln(u) is finite). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

function checkOptions({ seed, percent, minimum }: AuditSampleOptions): void {
  if (!isAuditSeed(seed)) throw new RangeError(`an audit seed is a whole number from 0 to 4294967295, got ${seed}`);
  if (!isAuditPercent(percent)) throw new RangeError(`an audit percentage is more than 0 and at most 100, got ${percent}`);
  if (!Number.isInteger(minimum) || minimum < 0) throw new RangeError(`an audit minimum is a whole number of families, got ${minimum}`);
}

/** Code-unit order, the same in every locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
