import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";

export interface Delivery {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  installation_id: number | null;
  status_code: number;
  status: string;
  delivered_at: string;
  redelivery: boolean;
  payload: Record<string, unknown>;
}

export interface WebhookFaults {
  /** Deliveries to record as failed without sending (the app was "unreachable"). */
  drop: number;
  /** Deliveries to send twice with the same guid. */
  duplicate: number;
}

/**
 * Sends signed deliveries to the app, one at a time and in order, after the REST response
 * that caused them (never blocking it). A failed delivery is recorded and not retried,
 * as on GitHub; `redeliver` resends one with the same guid.
 */
export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  readonly faults: WebhookFaults = { drop: 0, duplicate: 0 };
  url: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private nextId = 1;

  constructor(
    private readonly secret: string,
    private readonly log: (line: string) => void,
  ) {}

  send(event: string, payload: Record<string, unknown>): void {
    const guid = randomUUID();
    const copies = this.faults.duplicate > 0 ? (this.faults.duplicate--, 2) : 1;
    for (let i = 0; i < copies; i++) this.enqueue(event, payload, guid, false);
  }

  redeliver(id: number): Delivery {
    const original = this.deliveries.find((d) => d.id === id);
    if (!original) throw new Error(`no delivery ${id}`);
    this.enqueue(original.event, original.payload, original.guid, true);
    return original;
  }

  redeliverGuid(guid: string): void {
    const original = [...this.deliveries].reverse().find((d) => d.guid === guid);
    if (!original) throw new Error(`no delivery ${guid}`);
    this.enqueue(original.event, original.payload, guid, true);
  }

  /** Resolves once every queued delivery has been attempted. */
  async idle(): Promise<void> {
    while (this.inFlight > 0) await this.chain;
  }

  private enqueue(event: string, payload: Record<string, unknown>, guid: string, redelivery: boolean): void {
    this.inFlight++;
    this.chain = this.chain.then(() => this.deliver(event, payload, guid, redelivery)).finally(() => this.inFlight--);
  }

  private async deliver(event: string, payload: Record<string, unknown>, guid: string, redelivery: boolean): Promise<void> {
    const record: Delivery = {
      id: this.nextId++,
      guid,
      event,
      action: (payload.action as string | undefined) ?? null,
      installation_id: (payload.installation as { id?: number } | undefined)?.id ?? null,
      status_code: 0,
      status: "pending",
      delivered_at: new Date().toISOString(),
      redelivery,
      payload,
    };
    this.deliveries.push(record);
    if (!this.url || this.faults.drop > 0) {
      if (this.url) this.faults.drop--;
      record.status = this.url ? "dropped by fault injection" : "no webhook URL";
      this.log(`SANDBOX: webhook ${event}.${record.action ?? ""} ${guid} not delivered (${record.status})`);
      return;
    }
    const body = JSON.stringify(payload);
    try {
      const res = await fetch(this.url, {
        method: "POST",
        body,
        signal: AbortSignal.timeout(10_000),
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/sandbox",
          "x-github-event": event,
          "x-github-delivery": guid,
          "x-github-hook-id": "1",
          "x-github-hook-installation-target-type": "integration",
          "x-github-hook-installation-target-id": "1",
          "x-hub-signature-256": await sign(this.secret, body),
        },
      });
      await res.arrayBuffer();
      record.status_code = res.status;
      record.status = res.ok ? "OK" : `HTTP ${res.status}`;
    } catch (error) {
      record.status = `failed: ${(error as Error).message}`;
    }
  }
}
