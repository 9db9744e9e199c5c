/** Stream names of ARCHITECTURE.md "The event store": the category is the text before the first dash. */
export const streams = {
  family: (familyId: string) => `family-${familyId}`,
  claim: (claimId: string) => `claim-${claimId}`,
  programme: (councilId: string) => `programme-${councilId}`,
  outcomePlan: (councilId: string) => `outcomePlan-${councilId}`,
  spotCheck: (spotCheckId: string) => `spotCheck-${spotCheckId}`,
} as const;

export type StreamCategory = keyof typeof streams;
