import { supportingFamilies2022 } from './supporting-families-2022.framework';
import { type FinancialFramework, troubledFamilies2015 } from './troubled-families-2015.framework';

/** Every financial framework a council's programme may be configured for (`PUT /api/programme` `framework`). */
export const frameworks: Record<string, FinancialFramework> = {
  [troubledFamilies2015.id]: troubledFamilies2015,
  [supportingFamilies2022.id]: supportingFamilies2022,
};

export const FRAMEWORK_IDS = [troubledFamilies2015.id, supportingFamilies2022.id] as const;

/** Every framework's headline problem codes (phase two's first): what a query filter on `problem` may name. */
export const ALL_HEADLINE_PROBLEMS: readonly string[] = [...new Set(Object.values(frameworks).flatMap((f) => f.headlineProblems))];
