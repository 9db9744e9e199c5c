import { type DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { createSecretKey } from 'node:crypto';
import type { LedgerConfig } from '@ledger/config';
import { AuthService } from '@ledger/application';
import { AuthController } from './auth.controller';
import { jwtSecretFor } from './jwt-secret';
import { ServiceAccountsController } from './service-accounts.controller';
import { RefreshTokens, SessionController } from './session.controller';
import { SIGN_IN_ATTEMPTS, SignInAttemptsGuard, SignInThrottle } from './sign-in-throttle';

/** Users, sign-in (tokens and the web app's sessions), service accounts, and the sign-in throttle. Exports `AuthService` (the actor middleware reads tokens with it). */
@Module({})
export class AuthModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    const jwtSecret = jwtSecretFor(config);
    // The secret as a KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it
    // as a public or private key on every sign and verify, a cost paid by every command.
    const jwtKey = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
    return {
      module: AuthModule,
      imports: [
        // Sign-in attempts per client address (issue 16.2); the guard is on the sign-in routes only.
        ThrottlerModule.forRoot({ throttlers: [{ name: SIGN_IN_ATTEMPTS, ttl: 60_000, limit: config.signInAttemptsPerMinute }] }),
        JwtModule.register({ secretOrKeyProvider: () => jwtKey, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } }),
      ],
      controllers: [AuthController, ServiceAccountsController, SessionController],
      providers: [AuthService, SignInThrottle, SignInAttemptsGuard, { provide: RefreshTokens, useValue: new RefreshTokens(jwtSecret) }],
      exports: [AuthService],
    };
  }
}
