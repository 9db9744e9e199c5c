/**
 * The register of legal gateways (DOMAIN.md 6, issue 23.1): the laws a sharing agreement may rely
 * on, and the only names a share without consent may give (`X-Legal-Basis`, `--legal-basis`).
 * Codes, so no share names a law in free text (which could carry a person's name).
 */
export const LEGAL_GATEWAY_REGISTER: Readonly<Record<string, string>> = {
  'dpa-2018': 'Data Protection Act 2018',
  'dpa-1998': 'Data Protection Act 1998',
  'cda-1998-s115': 'Crime and Disorder Act 1998, section 115',
  'children-act-1989': 'Children Act 1989',
  'children-act-2004': 'Children Act 2004',
  'wra-2012': 'Welfare Reform Act 2012',
  'localism-act-2011': 'Localism Act 2011',
  'lga-1972': 'Local Government Act 1972',
};

export const LEGAL_GATEWAY_CODES: readonly string[] = Object.keys(LEGAL_GATEWAY_REGISTER);

export function isLegalGatewayCode(value: string): boolean {
  return Object.prototype.hasOwnProperty.call(LEGAL_GATEWAY_REGISTER, value);
}

/** What a refusal of anything else says: the codes that are accepted. */
export const LEGAL_GATEWAY_RULE = `must be a legal gateway code from the register (GET /api/legal-gateways): one of ${LEGAL_GATEWAY_CODES.join(', ')}`;
