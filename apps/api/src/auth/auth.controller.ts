import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CsvList } from '../http/csv-list';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Request, Response } from '../http/http';
import { USER_ROLES, type UserRole } from '@ledger/domain';
import { recordedOrThrow } from '../http/recording';
import { CurrentActor } from './actor';
import { type Actor, AuthService, ApiError } from '@ledger/application';
import { Access } from './access';
import { SignInAttemptsGuard, SignInThrottle } from './sign-in-throttle';

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,59}$/;

export class TokenRequestDto {
  @ApiProperty({ example: 'finance.lee' }) @IsString() @MinLength(1) @MaxLength(60) username!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

export class RoleChangeDto {
  @ApiProperty({ enum: USER_ROLES }) @IsIn([...USER_ROLES], { message: `role must be one of ${USER_ROLES.join(', ')}` }) role!: UserRole;
  @ApiPropertyOptional({ example: 'police', description: "A partner's organisation: police, school, dwp, health, …" }) @IsOptional() @IsString() @Matches(/^[a-z][a-z-]{1,40}$/) organisation?: string;
}

export class NewUserDto {
  @ApiProperty({ example: 'kw.sam' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{1,59}$/, { message: 'username must be 2–60 lower-case letters, digits, dots, dashes or underscores' })
  username!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @MinLength(12, { message: 'password must be at least 12 characters' }) @MaxLength(200) password!: string;
  @ApiProperty({ enum: USER_ROLES }) @IsIn([...USER_ROLES], { message: `role must be one of ${USER_ROLES.join(', ')}` }) role!: UserRole;
  @ApiPropertyOptional({ example: 'police', description: "A partner's organisation: police, school, dwp, health, …" }) @IsOptional() @IsString() @Matches(/^[a-z][a-z-]{1,40}$/) organisation?: string;
}

@ApiTags('sign-in and users')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly throttle: SignInThrottle,
  ) {}

  @Access('public')
  @Post('auth/token')
  @UseGuards(SignInAttemptsGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: a short-lived bearer token for `Authorization: Bearer …`' })
  @ApiOkResponse({ schema: { example: { accessToken: 'eyJ…', tokenType: 'Bearer', expiresIn: 900, role: 'finance-officer' } } })
  @ApiUnauthorizedResponse({ description: 'Refused: one answer whether the username is unknown, the password wrong, or the user deactivated or locked out' })
  @ApiTooManyRequestsResponse({ description: 'Too many sign-in attempts, or failed sign-ins, from this client address; Retry-After says when to try again' })
  async token(@Body() body: TokenRequestDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.throttle.check(req, res);
    const result = await this.auth.signIn(body.username, body.password);
    if ('refused' in result) {
      await this.throttle.failed(req);
      throw new ApiError(401, result.message, { reason: result.refused });
    }
    return { accessToken: result.accessToken, tokenType: 'Bearer', expiresIn: result.expiresIn, role: result.role };
  }

  @Access({ admin: true })
  @Post('users')
  @ApiOperation({ summary: 'Add a user (admins)' })
  @ApiCreatedResponse({ schema: { example: { username: 'kw.sam', role: 'keyworker' } } })
  @ApiUnauthorizedResponse({ description: 'Not signed in' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  async addUser(@Body() body: NewUserDto, @CurrentActor() actor: Actor) {
    recordedOrThrow(await this.auth.register(body, actor), 'user');
    return { username: body.username, role: body.role, ...(body.organisation ? { organisation: body.organisation } : {}) };
  }

  @Access({ admin: true })
  @Get('users')
  @ApiOperation({ summary: 'Users, their roles, whether active, and lock-outs (admins)' })
  @CsvList<{ users: { username: string; role: string | null; organisation?: string; lockedUntil: string | null }[] }>({
    filename: 'users',
    columns: ['username', 'role', 'organisation', 'locked_until'],
    rows: ({ users }) => users.map((u) => [u.username, u.role, u.organisation, u.lockedUntil]),
  })
  async users() {
    return { users: await this.auth.list() };
  }

  /**
   * Issue 20: a programme manager attaches a family to a keyworker chosen from the keyworkers who
   * may sign in (the attachment refuses any other name with UnknownKeyworker). Usernames only.
   */
  @Access({ admin: true, 'programme-manager': true })
  @Get('keyworkers')
  @ApiOperation({ summary: 'The active keyworker users a family can be attached to (programme managers, admins): usernames only' })
  @ApiOkResponse({ schema: { example: { keyworkers: [{ username: 'kw.sam' }] } } })
  async keyworkers() {
    const users = await this.auth.list();
    return {
      keyworkers: users
        .filter((u) => u.role === 'keyworker' && u.active)
        .map((u) => ({ username: u.username }))
        .sort((a, b) => a.username.localeCompare(b.username)),
    };
  }

  @Access({ admin: true })
  @Post('users/:username/deactivation')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Deactivate a user (admins): they cannot sign in, and every token of theirs stops at once' })
  @ApiOkResponse({ schema: { example: { username: 'kw.sam', active: false } } })
  @ApiNotFoundResponse({ description: 'No user of that name' })
  async deactivate(@Param('username') username: string, @CurrentActor() actor: Actor) {
    recordedOrThrow(await this.auth.deactivate(validUsername(username), actor), 'user');
    return { username, active: false };
  }

  @Access({ admin: true })
  @Post('users/:username/reactivation')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Reactivate a deactivated user (admins); their old tokens stay void' })
  @ApiOkResponse({ schema: { example: { username: 'kw.sam', active: true } } })
  @ApiNotFoundResponse({ description: 'No user of that name' })
  async reactivate(@Param('username') username: string, @CurrentActor() actor: Actor) {
    recordedOrThrow(await this.auth.reactivate(validUsername(username), actor), 'user');
    return { username, active: true };
  }

  @Access({ admin: true })
  @Put('users/:username/role')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Change a user's role (admins): tokens issued for the old role stop at once" })
  @ApiOkResponse({ schema: { example: { username: 'kw.sam', role: 'analyst' } } })
  @ApiNotFoundResponse({ description: 'No user of that name' })
  async changeRole(@Param('username') username: string, @Body() body: RoleChangeDto, @CurrentActor() actor: Actor) {
    recordedOrThrow(await this.auth.changeRole(validUsername(username), body.role, body.organisation, actor), 'user');
    return { username, role: body.role, ...(body.role === 'partner' && body.organisation ? { organisation: body.organisation } : {}) };
  }
}

function validUsername(username: string): string {
  if (!USERNAME.test(username)) throw ApiError.badRequest('invalid username', [{ field: 'username', message: 'must be 2–60 lower-case letters, digits, dots, dashes or underscores' }]);
  return username;
}
