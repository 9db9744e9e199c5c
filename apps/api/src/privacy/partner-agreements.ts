import { Inject, Injectable } from '@nestjs/common';
import { type EventStore, RAW_EVENT_STORE } from '@ledger/event-store';

/** The data kind each partner grant of a route stands for (`PARTNER_KINDS` in auth/access.ts). */
export const DATA_KIND_OF_GRANT: Readonly<Record<string, string>> = { police: 'crime', school: 'education', dwp: 'benefits-employment', health: 'health' };

export const ORGANISATION = /^[a-z0-9][a-z0-9-]{1,39}$/;

export interface SharingAgreement {
  agreementId: string;
  reference: string;
  startsOn: string;
  endsOn: string;
  gateways: string[];
  shares: string[];
  receives: string[];
  revokedOn: string | null;
}

export interface PartnerOrganisation {
  organisation: string;
  name: string;
  kind: string;
  agreements: SharingAgreement[];
}

export function fold(events: readonly { type: string; data: Record<string, unknown> }[], organisation: string): PartnerOrganisation | null {
  let partner = null as PartnerOrganisation | null;
  for (const e of events) {
    const d = e.data;
    if (d.organisation !== organisation) continue;
    if (e.type === 'PartnerOrganisationRegistered') partner = { organisation: String(d.organisation), name: String(d.name), kind: String(d.kind), agreements: [] };
    if (!partner) continue;
    if (e.type === 'SharingAgreementRecorded') {
      partner.agreements.push({
        agreementId: String(d.agreementId),
        reference: String(d.reference),
        startsOn: String(d.startsOn),
        endsOn: String(d.endsOn),
        gateways: d.gateways as string[],
        shares: d.shares as string[],
        receives: d.receives as string[],
        revokedOn: null,
      });
    }
    if (e.type === 'SharingAgreementRevoked') {
      const a = partner.agreements.find((x) => x.agreementId === d.agreementId);
      if (a && a.revokedOn === null) a.revokedOn = String(d.revokedOn);
    }
  }
  return partner;
}

/** Whether an agreement is in force on a day: started, not ended, not revoked on or before it. */
export function inForce(a: SharingAgreement, on: string): boolean {
  return a.startsOn <= on && on <= a.endsOn && (a.revokedOn === null || a.revokedOn > on);
}

/**
 * The guard's question (issue 23.1, DOMAIN.md 6): may a partner user of `organisation` record or
 * read data of `kind` today? Only within an information-sharing agreement in force that shares that
 * kind: an organisation not in the partner register has no agreement, so no access; when an
 * agreement expires or is revoked its users' access ends at once.
 */
@Injectable()
export class PartnerAgreements {
  constructor(@Inject(RAW_EVENT_STORE) private readonly store: EventStore) {}

  async refusal(organisation: string, dataKind: string | undefined, today: string, legalBasis?: string): Promise<{ reason: string; message: string } | null> {
    const partner = ORGANISATION.test(organisation) ? fold((await this.store.readStream('partnerOrganisation-register')).events, organisation) : null;
    if (partner === null) {
      return {
        reason: 'NoSharingAgreement',
        message: `${organisation} is not a registered partner organisation: an admin registers it and records its information-sharing agreement (POST /api/partners) before its users may share`,
      };
    }
    const current = partner.agreements.filter((a) => inForce(a, today));
    if (current.length === 0) return { reason: 'NoSharingAgreement', message: `${partner.name} has no information-sharing agreement in force today (${today})` };
    if (dataKind !== undefined && !current.some((a) => a.shares.includes(dataKind))) {
      return { reason: 'NoSharingAgreement', message: `${partner.name}'s agreements in force do not cover ${dataKind} data` };
    }
    // A share without consent names a gateway its agreement relies on, not just any law of the register.
    if (legalBasis !== undefined) {
      const covering = current.filter((a) => dataKind === undefined || a.shares.includes(dataKind));
      const gateways = [...new Set(covering.flatMap((a) => a.gateways))];
      if (!gateways.includes(legalBasis)) {
        return {
          reason: 'GatewayNotInAgreement',
          message: `${partner.name}'s agreements in force rely on ${gateways.join(', ')}, not ${legalBasis}: a share without consent names one of them in X-Legal-Basis`,
        };
      }
    }
    return null;
  }
}
