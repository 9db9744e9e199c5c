import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { JwtService } from '@nestjs/jwt';
import { type Request, type Response, clearCookie as clearCookieOf, isSecure, setCookie } from '../http/http';
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';
import { Access } from './access';
import { TokenRequestDto } from './auth.controller';
import { AuthService, ApiError } from '@ledger/application';
import { SignInAttemptsGuard, SignInThrottle } from './sign-in-throttle';

/** The refresh cookie: sent back only to the session routes, never readable by scripts, never sent cross-site. */
export const SESSION_COOKIE = 'ledger_session';
const COOKIE_PATH = '/api/auth';
/** A session ends after this long without a refresh (the browser was closed or left)… */
const IDLE_SECONDS = 2 * 60 * 60;
/** …and at the latest this long after signing in, refreshes or not: a working day. */
const SESSION_SECONDS = 12 * 60 * 60;
/** The header a page's own script adds: a cross-site form cannot, and a cross-site fetch may not without CORS (none is allowed). */
export const CSRF_HEADER = 'x-requested-with';

/**
 * Refresh tokens: JWTs signed with a key of their own, derived from the access tokens' secret, so
 * neither kind verifies as the other (a refresh token is never a bearer token).
 */
export class RefreshTokens {
  private readonly jwt: JwtService;

  constructor(accessSecret: string) {
    const key = createSecretKey(createHmac('sha256', accessSecret).update('ledger web session refresh tokens').digest());
    this.jwt = new JwtService({ secretOrKeyProvider: () => key, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } });
  }

  /** A token for `username`'s session, which ends at `untilS` (seconds since the epoch) at the latest. */
  issue(username: string, sessionId: string, untilS: number, nowS: number): Promise<string> {
    return this.jwt.signAsync({ sub: username, sid: sessionId, until: untilS }, { expiresIn: Math.max(1, Math.min(IDLE_SECONDS, untilS - nowS)) });
  }

  async verify(token: string): Promise<{ username: string; sessionId: string; untilS: number } | null> {
    try {
      const claims = await this.jwt.verifyAsync<{ sub: string; sid: string; until: number }>(token);
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.until !== 'number') return null;
      return { username: claims.sub, sessionId: claims.sid, untilS: claims.until };
    } catch {
      return null;
    }
  }
}

/**
 * The web app's session (issue 19.1): the page holds its access token in memory only and renews
 * it through an httpOnly, SameSite=Strict refresh cookie, so a 15-minute token never throws a
 * working user out and nothing a script can read outlives the page. Scripts and partner systems
 * keep using `POST /api/auth/token`.
 */
@ApiTags('sign-in and users')
@Controller('api/auth')
export class SessionController {
  constructor(
    private readonly auth: AuthService,
    private readonly refreshTokens: RefreshTokens,
    private readonly throttle: SignInThrottle,
  ) {}

  @Access('public')
  @Post('session')
  @UseGuards(SignInAttemptsGuard)
  @HttpCode(200)
  @ApiOperation({ summary: "Sign in from the web app: an access token, and the session's refresh cookie (httpOnly, SameSite=Strict)" })
  @ApiOkResponse({ schema: { example: { accessToken: 'eyJ…', tokenType: 'Bearer', expiresIn: 900, role: 'programme-manager', username: 'demo.pm' } } })
  @ApiUnauthorizedResponse({ description: 'Unknown username or wrong password, or locked out after repeated failures' })
  async signIn(@Body() body: TokenRequestDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // The same throttling per client address as POST /api/auth/token (issue 16.2).
    this.throttle.check(req, res);
    const result = await this.auth.signIn(body.username, body.password);
    if ('refused' in result) {
      await this.throttle.failed(req);
      throw new ApiError(401, result.message, { reason: result.refused });
    }
    const nowS = Math.floor(Date.now() / 1000);
    const untilS = nowS + SESSION_SECONDS;
    await this.setCookie(req, res, body.username, randomUUID(), untilS, nowS);
    res.header('Cache-Control', 'no-store');
    return { accessToken: result.accessToken, tokenType: 'Bearer', expiresIn: result.expiresIn, role: result.role, username: body.username };
  }

  @Access('public')
  @Post('refresh')
  @HttpCode(200)
  @ApiHeader({ name: 'X-Requested-With', required: true, description: 'Any value: proves the request comes from a page script of this site (CSRF protection)' })
  @ApiOperation({ summary: "A new access token for the session's refresh cookie (the web app's silent refresh); the cookie is renewed" })
  @ApiOkResponse({ schema: { example: { accessToken: 'eyJ…', tokenType: 'Bearer', expiresIn: 900, role: 'programme-manager', username: 'demo.pm' } } })
  @ApiUnauthorizedResponse({ description: 'No session, or it has ended: sign in again' })
  async refresh(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireCsrfHeader(req);
    const session = await this.refreshTokens.verify(cookieOf(req, SESSION_COOKIE) ?? '');
    const nowS = Math.floor(Date.now() / 1000);
    const issued = session && session.untilS > nowS ? await this.auth.issueFor(session.username) : null;
    if (!session || !issued) {
      clearCookie(req, res);
      throw new ApiError(401, 'no session, or it has ended: sign in again', { reason: 'NoSession' });
    }
    await this.setCookie(req, res, session.username, session.sessionId, session.untilS, nowS);
    res.header('Cache-Control', 'no-store');
    return { accessToken: issued.accessToken, tokenType: 'Bearer', expiresIn: issued.expiresIn, role: issued.role, username: session.username };
  }

  @Access('public')
  @Post('sign-out')
  @HttpCode(204)
  @ApiHeader({ name: 'X-Requested-With', required: true, description: 'Any value (CSRF protection)' })
  @ApiOperation({ summary: "Sign out of the web app: clears the session's refresh cookie" })
  @ApiNoContentResponse({ description: 'Signed out (also when there was no session)' })
  signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    requireCsrfHeader(req);
    clearCookie(req, res);
  }

  private async setCookie(req: Request, res: Response, username: string, sessionId: string, untilS: number, nowS: number): Promise<void> {
    const token = await this.refreshTokens.issue(username, sessionId, untilS, nowS);
    setCookie(res, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: isSecure(req), path: COOKIE_PATH, maxAge: Math.min(IDLE_SECONDS, untilS - nowS) * 1000 });
  }
}

/** A write without the header is refused before anything else: a 400 naming it (API.md "errors"). */
function requireCsrfHeader(req: Request): void {
  const value = req.headers[CSRF_HEADER];
  if (typeof value !== 'string' || value.trim() === '') {
    throw ApiError.badRequest('the X-Requested-With header is required (CSRF protection)', [{ field: 'X-Requested-With', message: 'is required: any value, sent by the page’s own script' }]);
  }
}

function clearCookie(req: Request, res: Response): void {
  clearCookieOf(res, SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: isSecure(req), path: COOKIE_PATH });
}

/** One cookie of the request (no cookie parser is installed: the session cookie is the only one read). */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
