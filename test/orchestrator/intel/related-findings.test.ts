import {
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { DescribeAffectedEntitiesCommand, DescribeEventsCommand, HealthClient } from '@aws-sdk/client-health';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

import { fetchRelatedFindings, relatedFindingsQuery } from '../../../orchestrator/intel';
import { demoInvestigation } from '../../../orchestrator/investigate';

const guardDuty = mockClient(GuardDutyClient);
const health = mockClient(HealthClient);
const clients = {
  guardDuty: () => new GuardDutyClient({ region: 'us-east-1' }),
  health: new HealthClient({ region: 'us-east-1' }),
};

beforeEach(() => {
  guardDuty.reset();
  health.reset();
});

const keys = Array.from({ length: 60 }, (_, i) => `AKIA${String(i).padStart(16, '0')}`);

describe('fetchRelatedFindings call sequence', () => {
  test('pages detectors and findings, splits 60 keys into criteria of 50, and gets findings 50 at a time', async () => {
    guardDuty
      .on(ListDetectorsCommand)
      .resolvesOnce({ DetectorIds: ['d1'], NextToken: 't1' })
      .resolvesOnce({ DetectorIds: ['d2'] });
    const ids = Array.from({ length: 70 }, (_, i) => `f${i}`);
    guardDuty
      .on(ListFindingsCommand, { DetectorId: 'd1' })
      .resolvesOnce({ FindingIds: ids.slice(0, 50), NextToken: 'p2' })
      .resolvesOnce({ FindingIds: ids.slice(50) })
      .resolves({ FindingIds: [] });
    guardDuty.on(ListFindingsCommand, { DetectorId: 'd2' }).resolves({ FindingIds: [] });
    guardDuty.on(GetFindingsCommand).callsFake((input: { FindingIds: string[] }) => ({
      Findings: input.FindingIds.map((Id) => ({ Id, Type: 'Recon:IAMUser/MaliciousIPCaller', Severity: 5 })),
    }));
    health.on(DescribeEventsCommand).resolves({ events: [] });

    const related = await fetchRelatedFindings(clients, {
      accessKeyIds: keys,
      userNames: ['JaneDoe'],
      since: '2021-07-16T00:00:00.000Z',
      regions: ['us-east-1', 'us-east-1'],
    });

    expect(guardDuty).toHaveReceivedCommandTimes(ListDetectorsCommand, 2);
    expect(guardDuty).toHaveReceivedNthCommandWith(2, ListDetectorsCommand, { NextToken: 't1' });
    const lists = guardDuty.commandCalls(ListFindingsCommand).map((c) => c.args[0].input);
    // d1: keys 1-50 (two pages), keys 51-60, the user name; d2: the same three criteria.
    expect(
      lists.map((l) => [l.DetectorId, Object.keys(l.FindingCriteria?.Criterion ?? {})[0], l.NextToken]),
    ).toEqual([
      ['d1', 'resource.accessKeyDetails.accessKeyId', undefined],
      ['d1', 'resource.accessKeyDetails.accessKeyId', 'p2'],
      ['d1', 'resource.accessKeyDetails.accessKeyId', undefined],
      ['d1', 'resource.accessKeyDetails.userName', undefined],
      ['d2', 'resource.accessKeyDetails.accessKeyId', undefined],
      ['d2', 'resource.accessKeyDetails.accessKeyId', undefined],
      ['d2', 'resource.accessKeyDetails.userName', undefined],
    ]);
    expect(lists[0].FindingCriteria?.Criterion?.['resource.accessKeyDetails.accessKeyId'].Equals).toEqual(
      keys.slice(0, 50),
    );
    expect(lists[2].FindingCriteria?.Criterion?.['resource.accessKeyDetails.accessKeyId'].Equals).toEqual(
      keys.slice(50),
    );
    const gets = guardDuty.commandCalls(GetFindingsCommand).map((c) => c.args[0].input);
    expect(gets.map((g) => [g.DetectorId, g.FindingIds?.length])).toEqual([
      ['d1', 50],
      ['d1', 20],
    ]);
    // The Region listed twice is read once.
    expect(related.guardDuty.regions).toHaveLength(1);
    expect(related.guardDuty.findings).toHaveLength(70);
    expect(health).not.toHaveReceivedCommand(DescribeAffectedEntitiesCommand);
  });

  test('asks Health for the entities of its events 10 ARNs at a time, and marks the events naming the actor’s keys', async () => {
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const arns = Array.from(
      { length: 12 },
      (_, i) => `arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/E${i}`,
    );
    health
      .on(DescribeEventsCommand)
      .resolvesOnce({ events: arns.slice(0, 5).map((arn) => ({ arn })), nextToken: 'n' })
      .resolvesOnce({ events: arns.slice(5).map((arn) => ({ arn })) });
    health.on(DescribeAffectedEntitiesCommand).callsFake((input: { filter: { eventArns: string[] } }) => ({
      entities: input.filter.eventArns.map((eventArn, i) => ({
        eventArn,
        entityValue: i === 0 ? keys[0] : 'AKIAOTHERKEYEXAMPLE',
      })),
    }));
    const related = await fetchRelatedFindings(clients, {
      accessKeyIds: [keys[0]],
      userNames: [],
      since: '2021-07-16T00:00:00.000Z',
      regions: ['us-east-1'],
    });
    expect(health).toHaveReceivedNthCommandWith(2, DescribeEventsCommand, { nextToken: 'n' });
    const batches = health
      .commandCalls(DescribeAffectedEntitiesCommand)
      .map((c) => c.args[0].input.filter?.eventArns?.length);
    expect(batches).toEqual([10, 2]);
    expect(related.health.events.filter((e) => e.actorKey).map((e) => e.arn)).toEqual([arns[0], arns[10]]);
  });
});

describe('relatedFindingsQuery', () => {
  test('searches every key and every user and role name of the actor, from the window’s first day', async () => {
    const { result } = await demoInvestigation({ backgroundEvents: 20 });
    const query = relatedFindingsQuery(result, ['us-east-1']);
    expect(query).toEqual({
      accessKeyIds: ['AKIAI44QH8DHBEXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
      userNames: ['JaneDoe', 'JorgeSouza'],
      since: `${result.window.from.replace(/\//g, '-')}T00:00:00.000Z`,
      regions: ['us-east-1'],
    });
  });
});
