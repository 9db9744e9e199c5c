import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SERVICE_ACCOUNT_ROLES, type ServiceAccountRole } from '@ledger/domain';
import { recordedOrThrow } from '../http/recording';
import { Access } from './access';
import { CurrentActor } from './actor';
import { type Actor, AuthService, ApiError } from '@ledger/application';

const NAME = /^[a-z0-9][a-z0-9._-]{1,59}$/;

export class NewServiceAccountDto {
  @ApiProperty({ example: 'powerbi-finance', description: 'A name for the tool: 2–60 lower-case letters, digits, dots, dashes or underscores' })
  @IsString()
  @Matches(NAME, { message: 'name must be 2–60 lower-case letters, digits, dots, dashes or underscores' })
  name!: string;

  @ApiProperty({ enum: SERVICE_ACCOUNT_ROLES, description: 'A role that reads: the token may call GET routes of that role only' })
  @IsIn([...SERVICE_ACCOUNT_ROLES], { message: `role must be one of ${SERVICE_ACCOUNT_ROLES.join(', ')} (service accounts read; they never record or administer)` })
  role!: ServiceAccountRole;

  @ApiPropertyOptional({ example: 'Power BI finance dashboards, owner: finance team' }) @IsOptional() @IsString() @MaxLength(200) description?: string;

  @ApiPropertyOptional({ example: 365, description: 'Days until the token expires (1–730, default 365)' })
  @IsOptional()
  @IsInt({ message: 'days must be a whole number' })
  @Min(1)
  @Max(730)
  days?: number;
}

/**
 * Service accounts (issue 19.4): long-lived bearer tokens an admin issues for a council's BI tool
 * (Power BI, Tableau, Metabase), scoped to a role that reads and to GET routes; listed and revoked
 * by admins. A revoked token stops at once: `AuthService.verify` reads the account on each request.
 */
@ApiTags('sign-in and users')
@ApiBearerAuth()
@Controller('api/service-accounts')
export class ServiceAccountsController {
  constructor(private readonly auth: AuthService) {}

  @Access({ admin: true })
  @Post()
  @ApiOperation({ summary: 'Issue a service account and its long-lived token (admins); the token is shown once' })
  @ApiCreatedResponse({ schema: { example: { name: 'powerbi-finance', role: 'finance-officer', accessToken: 'eyJ…', tokenType: 'Bearer', expiresAt: '2027-12-05T09:00:00.000Z' } } })
  @ApiConflictResponse({ description: 'A service account of that name exists (revoked ones keep their name)' })
  @ApiUnauthorizedResponse({ description: 'Not signed in' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  async issue(@Body() body: NewServiceAccountDto, @CurrentActor() actor: Actor) {
    const outcome = await this.auth.issueServiceAccount({ name: body.name, role: body.role, description: body.description, days: body.days ?? 365 }, actor);
    recordedOrThrow(outcome, 'service account');
    if (!outcome.accessToken) throw new ApiError(409, `a service account ${body.name} already exists`, { reason: 'ServiceAccountExists' });
    return { name: body.name, role: body.role, accessToken: outcome.accessToken, tokenType: 'Bearer', expiresAt: outcome.expiresAt };
  }

  @Access({ admin: true })
  @Get()
  @ApiOperation({ summary: 'Service accounts, their roles, expiry and revocation (admins); never their tokens' })
  async list() {
    return { serviceAccounts: await this.auth.listServiceAccounts() };
  }

  @Access({ admin: true })
  @Post(':name/revocation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a service account (admins): its token stops at once' })
  @ApiOkResponse({ schema: { example: { name: 'powerbi-finance', revoked: true } } })
  @ApiNotFoundResponse({ description: 'No service account of that name' })
  async revoke(@Param('name') name: string, @CurrentActor() actor: Actor) {
    if (!NAME.test(name)) throw ApiError.badRequest('invalid service account name', [{ field: 'name', message: 'must be 2–60 lower-case letters, digits, dots, dashes or underscores' }]);
    recordedOrThrow(await this.auth.revokeServiceAccount(name, actor), 'service account');
    return { name, revoked: true };
  }
}
