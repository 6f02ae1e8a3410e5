import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/auth.guard';
import { ProblemError } from '../http/problem';
import { EVENT_STORE, type EventStore, type StoreKind } from '../store/event-store.port';

/** `GET /health`: up when the store answers a ping. */
@ApiTags('operations')
@Controller('health')
@RequireAccess('public')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness and store reachability' })
  async health(): Promise<{ status: 'ok'; store: StoreKind }> {
    try {
      await this.store.ping();
    } catch {
      throw new ProblemError('store-unavailable', `The ${this.store.kind} store does not answer`);
    }
    return { status: 'ok', store: this.store.kind };
  }
}
