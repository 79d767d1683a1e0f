import type { EngagementKind } from '@engagekit/core';
import type { ZoomEngagement } from '../wire/engagement';

const VIDEO_SOURCES = new Set(['in_app_video', 'kiosk_video', 'web_video']);
const CHAT_SOURCES = new Set(['web_chat', 'in_app_chat', 'whatsapp', 'facebook_messenger']);
/** What absent `channels` read as: one shared empty array, not a new one per record. */
const NONE: readonly never[] = [];
/** The deprecated `channel_types` values (spec `listEngagements`). */
const LEGACY_KINDS: Record<string, EngagementKind> = {
  voice: 'call',
  sms: 'sms',
  chat: 'chat',
  in_app_chat: 'chat',
  video: 'video',
  kiosk: 'video',
  in_app_video: 'video',
};

/** The kind of one `channels[]` entry, or `undefined` when engagekit does not know it. */
export function kindOfChannel(
  channel: string | undefined,
  source: string | undefined,
): EngagementKind | undefined {
  switch (channel) {
    case 'voice':
      return 'call';
    case 'video':
      return !source || VIDEO_SOURCES.has(source) ? 'video' : undefined;
    case 'email':
      return 'email';
    // "Back-office tasks such as tickets, cases, or follow-ups" routed like calls (Zoom library,
    // "Unifying Live and Asynchronous Work with Work Items"); started with channel `work_item`.
    case 'work_item':
      return 'task';
    case 'messaging':
      if (source === 'sms') return 'sms';
      // Messaging without a source is still a chat; an unknown source is not guessed.
      return !source || CHAT_SOURCES.has(source) ? 'chat' : undefined;
    default:
      // Some records name the source without the channel.
      if (!channel && source) {
        if (source === 'sms') return 'sms';
        if (CHAT_SOURCES.has(source)) return 'chat';
        if (VIDEO_SOURCES.has(source)) return 'video';
        if (source === 'email_address') return 'email';
      }
      return undefined;
  }
}

export interface ChannelInfo {
  kind: EngagementKind;
  /** The primary channel as Zoom wrote it: `channel/channel_source`, `channel`, or a `channel_types` value. */
  nativeType: string | undefined;
  /** Every channel and channel source string the record carries, de-duplicated, in order. */
  channels: string[];
}

/**
 * `channels[]` (or, when absent, the deprecated `channel_types[]`) → kind, native type and the flat
 * channel list. The first entry is the primary channel (an upgraded voice call lists `voice` first).
 */
export function channelInfo(
  record: Pick<ZoomEngagement, 'channels' | 'channel_types'>,
): ChannelInfo {
  let first: { channel?: string | null; channel_source?: string | null } | undefined;
  const channels: string[] = [];
  for (const c of record.channels ?? NONE) {
    const channel = c.channel;
    const source = c.channel_source;
    if (typeof channel !== 'string' && typeof source !== 'string') continue;
    first ??= c;
    if (channel && !channels.includes(channel)) channels.push(channel);
    if (source && !channels.includes(source)) channels.push(source);
  }
  if (first) {
    const channel = first.channel ?? undefined;
    const source = first.channel_source ?? undefined;
    return {
      kind: kindOfChannel(channel, source) ?? 'other',
      nativeType: channel && source ? `${channel}/${source}` : (channel ?? source),
      channels,
    };
  }
  const legacy = (record.channel_types ?? []).filter((t) => typeof t === 'string' && t !== '');
  if (legacy.length > 0) {
    const first = legacy[0]!;
    return {
      kind: LEGACY_KINDS[first.toLowerCase()] ?? 'other',
      nativeType: first,
      channels: [...new Set(legacy)],
    };
  }
  return { kind: 'other', nativeType: undefined, channels: [] };
}

/**
 * The one `channel` query value that covers every requested kind, or `undefined` when no single
 * Zoom channel does (then the listing is not narrowed server-side and kinds are filtered client-side).
 */
export function channelForKinds(
  kinds: readonly EngagementKind[],
): { channel: string; channel_sources?: string[] } | undefined {
  const channels = new Set<string>();
  for (const kind of kinds) {
    if (kind === 'call') channels.add('voice');
    else if (kind === 'video') channels.add('video');
    else if (kind === 'email') channels.add('email');
    else if (kind === 'sms' || kind === 'chat') channels.add('messaging');
    else return undefined;
  }
  if (channels.size !== 1) return undefined;
  const channel = [...channels][0]!;
  // Only a pure SMS request narrows by source: a chat may carry no source at all.
  if (channel === 'messaging' && kinds.every((k) => k === 'sms')) {
    return { channel, channel_sources: ['sms'] };
  }
  return { channel };
}
