/** Stream names of ARCHITECTURE.md "The event store": the category is the text before the first dash. */
export const streams = {
  family: (familyId: string) => `family-${familyId}`,
  claim: (claimId: string) => `claim-${claimId}`,
  programme: (councilId: string) => `programme-${councilId}`,
  outcomePlan: (councilId: string) => `outcomePlan-${councilId}`,
  spotCheck: (spotCheckId: string) => `spotCheck-${spotCheckId}`,
  user: (username: string) => `user-${username}`,
  /** A person's one family (issue 16.8). */
  familyMember: (memberId: string) => `familyMember-${memberId}`,
  /** The reference register: a family's reference is unique in the council. */
  familyReference: (reference: string) => `familyReference-${reference}`,
  /** The council's register of families whose result has been claimed (DOMAIN.md 4.3). */
  resultClaims: (councilId: string) => `resultClaims-${councilId}`,
} as const;

export type StreamCategory = keyof typeof streams;
