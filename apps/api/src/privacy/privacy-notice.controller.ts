import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LedgerConfig } from '@ledger/config';
import { EVENT_STORE, type EventStore, LEDGER_CONFIG } from '@ledger/event-store';
import { Access, PARTNER_KINDS } from '../auth/access';
import { COUNCIL_ID, ROLE_PURPOSES, readProgramme, CLOCK, type Clock, londonToday } from '@ledger/application';
import { LEGAL_GATEWAY_REGISTER } from './partners';
import { ONS_AGREEMENT_TERMS } from './ons-transfers';
import { type PartnerOrganisation, fold, inForce } from './partner-agreements';
import { readRecords } from '@ledger/application';

/** The laws partners share under when a family has not consented: the register's. */
const LEGAL_GATEWAYS = Object.values(LEGAL_GATEWAY_REGISTER);

const PARTNER_NAMES: Record<string, string> = { police: 'the police', school: 'schools', dwp: 'the Department for Work and Pensions (Jobcentre Plus)', health: 'health services' };

/**
 * "How are we using your information?" (DOMAIN.md 6, issue 23.6): the privacy notice, generated
 * from the configuration the ledger runs with, so what families are told matches what it does.
 */
@ApiTags('privacy and evaluation')
@Controller('api')
export class PrivacyNoticeController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Access('public')
  @Get('privacy-notice')
  @ApiOperation({ summary: 'The privacy notice for families, generated from the configuration: purposes, partners, legal gateways, retention, the evaluation, rights and the contact' })
  async notice() {
    const { state } = await readProgramme(this.store, this.councilId);
    const council = state.councilName ?? this.councilId;
    // Registered partners with an agreement in force today, and the partner kinds not registered (their role's access holds).
    const today = londonToday(this.clock.now());
    const events = await readRecords(this.store, 'partnerOrganisation');
    const organisations = [...new Set(events.filter((e) => e.type === 'PartnerOrganisationRegistered').map((e) => String(e.data.organisation)))];
    const registered = organisations.map((o) => fold(events, o)).filter((p): p is PartnerOrganisation => p !== null);
    const partners = [
      ...registered.filter((p) => p.agreements.some((a) => inForce(a, today))).map((p) => p.name),
      ...Object.keys(PARTNER_KINDS)
        .filter((k) => !registered.some((p) => p.organisation === k))
        .map((k) => PARTNER_NAMES[k] ?? k),
    ];
    const agreements = registered.flatMap((p) =>
      p.agreements
        .filter((a) => inForce(a, today))
        .map((a) => ({ partner: p.name, reference: a.reference, endsOn: a.endsOn, gateways: a.gateways.map((g) => LEGAL_GATEWAY_REGISTER[g] ?? g), shares: a.shares })),
    );
    const retention = [
      `${this.config.retentionYears} years after your family's case is closed`,
      `${this.config.retentionNotAttachedYears} years after we identified your family, or last recorded anything about it, if you never joined the programme`,
      `${this.config.retentionInactiveYears} years after we last recorded anything about your family, if your case was never closed`,
    ];
    const sections = [
      { heading: 'Who we are', text: `${council} runs the Troubled Families programme and keeps this record of the families it works with.` },
      {
        heading: 'Why we use your information',
        text: `Only to identify families who could be helped, to support them, and to evaluate the programme: ${[...new Set(Object.values(ROLE_PURPOSES))].join(', ')}. Each person sees only what their job needs, and every look at your records is logged.`,
      },
      {
        heading: 'Who we share it with',
        text: `With your consent, ${partners.join(', ')} share information with us about your family. Without consent they may share only where a law allows it: ${LEGAL_GATEWAYS.join('; ')}.`,
      },
      {
        heading: 'The national evaluation',
        text: `We send your name, date of birth, gender, last postcode and National Insurance number (where known), and how your family took part, to the Office for National Statistics under data agreement ${this.config.onsAgreementReference}: ${ONS_AGREEMENT_TERMS.join('; ')}. You can opt out at any time; people who opt out are left out of every later file, and the evaluator is told about earlier ones.`,
      },
      {
        heading: 'How long we keep it',
        text: `We delete your personal information ${retention.join('; ')}, unless it is needed for an audit or a legal case then open. Published results are numbers only, with small counts hidden.`,
      },
      {
        heading: 'Your rights',
        text: 'You can ask for a copy of everything we hold about you, ask us to correct it, object to sharing or to the evaluation, or ask us to delete it. We answer within one month.',
      },
      { heading: 'Contact', text: `Contact ${this.config.privacyContact}.` },
    ];
    return {
      title: 'How are we using your information?',
      council,
      purposes: [...new Set(Object.values(ROLE_PURPOSES))],
      partners,
      agreements,
      legalGateways: [...LEGAL_GATEWAYS],
      evaluation: { recipient: 'Office for National Statistics', agreementReference: this.config.onsAgreementReference, terms: [...ONS_AGREEMENT_TERMS] },
      retention: { closedYears: this.config.retentionYears, notAttachedYears: this.config.retentionNotAttachedYears, inactiveYears: this.config.retentionInactiveYears },
      contact: this.config.privacyContact,
      sections,
    };
  }
}
