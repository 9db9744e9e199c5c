import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { isBusinessDate } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ORGANISATION, type PartnerOrganisation, fold, inForce } from './partner-agreements';
import { Access, STAFF } from '../auth/access';
import { Recorded, RecordedOnDemand, type RecordingOnDemand } from '../http/recorded';
import { LEGAL_GATEWAY_CODES, LEGAL_GATEWAY_REGISTER, appendPrivacyRecord, readRecords, registerStream, ApiError, type FieldProblem, derivedId, type Recording } from '@ledger/application';

/** The kinds of partner organisation the programme works with (issue 23.1). */
export const PARTNER_ORGANISATION_KINDS = [
  'police',
  'probation',
  'community-rehabilitation-company',
  'registered-housing-provider',
  'dwp-jobcentre-plus',
  'health',
  'childrens-centre',
  'school',
  'private-or-voluntary-sector',
] as const;

/** The register of legal gateways a sharing agreement may rely on (libs/application: the cli checks `--legal-basis` against it too). */
export { LEGAL_GATEWAY_REGISTER } from '@ledger/application';
const GATEWAY_CODES = [...LEGAL_GATEWAY_CODES];

/** The kinds of data partners share with the ledger or receive from it. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const SHARED_DATA_KINDS = ['crime', 'education', 'benefits-employment', 'health', 'housing', 'family-details'] as const;

export class PartnerDto {
  @ApiProperty({ example: 'police', description: "The organisation code its users are registered with (a user's `organisation`): lower-case letters, digits and -" })
  @IsString()
  @Matches(ORGANISATION, { message: 'organisation must be 2 to 40 lower-case letters, digits and -' })
  organisation!: string;

  @ApiProperty({ example: 'Synthetic Borough Police' })
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  name!: string;

  @ApiProperty({ enum: PARTNER_ORGANISATION_KINDS })
  @IsIn(PARTNER_ORGANISATION_KINDS)
  kind!: string;
}

export class AgreementDto {
  @ApiProperty({ example: 'ISA-POLICE-2019', description: 'The agreement: letters, digits and / _ . - (at most 60)' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,59}$/, { message: 'reference must be a code of letters, digits and / _ . - (at most 60 characters)' })
  reference!: string;

  @ApiProperty({ example: '2019-04-01' })
  @IsString()
  startsOn!: string;

  @ApiProperty({ example: '2020-03-31' })
  @IsString()
  endsOn!: string;

  @ApiProperty({ enum: GATEWAY_CODES, isArray: true, description: 'The legal gateways it relies on, from the register (GET /api/legal-gateways)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(8)
  @IsIn(GATEWAY_CODES, { each: true })
  gateways!: string[];

  @ApiProperty({ enum: SHARED_DATA_KINDS, isArray: true, description: 'Kinds of data the partner may share with (record in) the ledger' })
  @IsArray()
  @ArrayMaxSize(6)
  @IsIn(SHARED_DATA_KINDS, { each: true })
  shares!: string[];

  @ApiProperty({ enum: SHARED_DATA_KINDS, isArray: true, description: 'Kinds of data the partner may receive' })
  @IsArray()
  @ArrayMaxSize(6)
  @IsIn(SHARED_DATA_KINDS, { each: true })
  receives!: string[];
}

export class RevocationDto {
  @ApiProperty({ example: '2019-09-30', description: 'From this day the agreement no longer holds' })
  @IsString()
  revokedOn!: string;
}

/** Partner organisations and their information-sharing agreements (DOMAIN.md 6, issue 23.1). */
@ApiTags('privacy and evaluation')
@Controller('api')
export class PartnersController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Access(STAFF)
  @Get('legal-gateways')
  @ApiOperation({ summary: 'The register of legal gateways sharing agreements rely on' })
  gateways() {
    return { gateways: Object.entries(LEGAL_GATEWAY_REGISTER).map(([code, name]) => ({ code, name })) };
  }

  @Access({ admin: true })
  @Get('partners')
  @ApiOperation({ summary: 'Partner organisations with their sharing agreements, each marked in force today or not' })
  async list(@Recorded() recording: Recording) {
    const today = recording.recordedOn;
    const events = await readRecords(this.store, 'partnerOrganisation');
    const organisations = [...new Set(events.filter((e) => e.type === 'PartnerOrganisationRegistered').map((e) => String(e.data.organisation)))];
    return {
      partners: organisations
        .map((o) => fold(events, o))
        .filter((p): p is PartnerOrganisation => p !== null)
        .map((p) => ({ ...p, agreements: p.agreements.map((a) => ({ ...a, inForce: inForce(a, today) })) })),
    };
  }

  @Access({ admin: true })
  @Post('partners')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a partner organisation: from then on its users record and read only within an agreement in force' })
  async register(@Body() body: PartnerDto, @Recorded() recording: Recording) {
    const stream = registerStream('partnerOrganisation');
    const existing = fold((await this.store.readStream(stream)).events, body.organisation);
    if (existing) throw new ApiError(409, `${body.organisation} is already registered`, { reason: 'PartnerAlreadyRegistered' });
    await appendPrivacyRecord(this.store, stream, 'PartnerOrganisationRegistered', { organisation: body.organisation, name: body.name, kind: body.kind }, recording);
    return fold((await this.store.readStream(stream)).events, body.organisation);
  }

  @Access({ admin: true })
  @Post('partners/:organisation/agreements')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an information-sharing agreement: its dates, legal gateways (from the register) and the kinds of data shared and received' })
  async agreement(@Param('organisation') organisation: string, @Body() body: AgreementDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const stream = registerStream('partnerOrganisation');
    const partner = ORGANISATION.test(organisation) ? fold((await this.store.readStream(stream)).events, organisation) : null;
    if (!partner) throw new ApiError(404, 'no partner organisation with this code', { reason: 'PartnerNotFound' });
    const problems: FieldProblem[] = [];
    if (!isBusinessDate(body.startsOn)) problems.push({ field: 'startsOn', message: 'must be a calendar date YYYY-MM-DD' });
    if (!isBusinessDate(body.endsOn)) problems.push({ field: 'endsOn', message: 'must be a calendar date YYYY-MM-DD' });
    else if (problems.length === 0 && body.endsOn < body.startsOn) problems.push({ field: 'endsOn', message: 'must not be before startsOn' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid body: ${problems.map((p) => p.field).join(', ')}`, problems);
    const recording = recordingOf();
    const agreementId = derivedId(recording.envelope.commandId, 'sharingAgreement');
    await appendPrivacyRecord(
      this.store,
      stream,
      'SharingAgreementRecorded',
      { organisation, agreementId, reference: body.reference, startsOn: body.startsOn, endsOn: body.endsOn, gateways: body.gateways, shares: body.shares, receives: body.receives },
      recording,
    );
    return (fold((await this.store.readStream(stream)).events, organisation) as PartnerOrganisation).agreements.find((a) => a.agreementId === agreementId);
  }

  @Access({ admin: true })
  @Post('partners/:organisation/agreements/:agreementId/revocation')
  @HttpCode(200)
  @ApiOperation({ summary: "Revoke an agreement: the partner's users lose the access it gave from that day" })
  async revoke(@Param('organisation') organisation: string, @Param('agreementId') agreementId: string, @Body() body: RevocationDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const stream = registerStream('partnerOrganisation');
    const partner = ORGANISATION.test(organisation) ? fold((await this.store.readStream(stream)).events, organisation) : null;
    const agreement = UUID.test(agreementId) ? partner?.agreements.find((a) => a.agreementId === agreementId) : undefined;
    if (!agreement) throw new ApiError(404, 'no such agreement', { reason: 'AgreementNotFound' });
    if (!isBusinessDate(body.revokedOn)) throw ApiError.badRequest('invalid body: revokedOn', [{ field: 'revokedOn', message: 'must be a calendar date YYYY-MM-DD' }]);
    if (agreement.revokedOn === null) await appendPrivacyRecord(this.store, stream, 'SharingAgreementRevoked', { organisation, agreementId, revokedOn: body.revokedOn }, recordingOf());
    return (fold((await this.store.readStream(stream)).events, organisation) as PartnerOrganisation).agreements.find((a) => a.agreementId === agreementId);
  }
}
