import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireAccess } from '../auth/auth.guard';
import { MetricsService } from './metrics.service';

/** `GET /metrics`: Prometheus text exposition. */
@ApiExcludeController()
@Controller('metrics')
@RequireAccess('public')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    await reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
