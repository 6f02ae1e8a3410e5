import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireAccess } from '../auth/auth.guard';
import { MetricsService } from './metrics.service';

/** `GET /metrics`: Prometheus text exposition. */
@ApiExcludeController()
@Controller('metrics')
@RequireAccess('public')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    response.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
