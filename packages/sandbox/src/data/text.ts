import type { Draw } from './random';

export const FIRST_NAMES = [
  'Ava',
  'Liam',
  'Noah',
  'Mia',
  'José',
  'Zoë',
  'Björn',
  'Amélie',
  'Chloé',
  'Søren',
  'Ngọc',
  'Łukasz',
  '王芳',
  '李雷',
  '佐藤',
  'さくら',
  '민준',
  'محمد',
  'فاطمة',
  'דוד',
  'Priya',
  'Arjun',
  'Olúwaseun',
  'Ana',
] as const;
export const LAST_NAMES = [
  'Smith',
  'García',
  'Müller',
  'Nguyễn',
  "O'Brien",
  'Kowalski',
  'Rossi',
  'Dubois',
  'Silva',
  'Kim',
  'Tanaka',
  '陈',
  'Yılmaz',
  'Haddad',
  'Cohen',
  'Okafor',
  'Patel',
  'Johansson',
  'Brown',
  'Ivanova',
] as const;
export const COMPANIES = [
  'Acme Corp',
  'Globex',
  'Initech',
  'Umbrella Ltd',
  'Stark Industries',
  'Wayne Enterprises',
  'Société Générale Démo',
  '株式会社サンプル',
  'Müller & Söhne GmbH',
  'Hooli',
  'Vandelay Industries',
  'شركة المثال',
  'Tyrell Corp',
  'Soylent',
  'Cyberdyne',
] as const;
const SUBJECTS = [
  'Quarterly business review',
  'Renewal discussion',
  'Onboarding call',
  'Support follow-up',
  'Pricing question',
  'Demo: new dashboard',
  'Escalation — billing',
  'Intro call 👋',
  'Contract redlines',
  'Kick-off meeting',
  '关于续约的讨论',
  'متابعة الطلب',
  'Check-in 📞',
  'Feature request: SSO',
  'Churn risk review',
  'Bug report #4821',
  'Réunion de suivi',
] as const;
const SENTENCES = [
  'Customer asked about the upgrade path and timelines.',
  'Agreed to send a revised quote by Friday.',
  'Discussed integration issues with the billing API.',
  'The caller was happy with the resolution 🎉.',
  'Follow up next week with the security questionnaire.',
  '客户希望下个月开始试用。',
  'العميل يطلب عرض سعر جديد.',
  'הלקוח ביקש פגישה נוספת.',
  'Voicemail left; will retry tomorrow.',
  'Escalated to tier 2 — see ticket TKT-1042.',
  'Line 1\nLine 2 with a newline\tand a tab.',
  'Quotes "inside" and <angle> & ampersand.',
] as const;
export const DISPOSITIONS = [
  'Resolved',
  'Callback requested',
  'Voicemail',
  'Escalated',
  'Sale',
  'No answer',
  'Wrong number',
  'Inquiry',
] as const;

export function personName(d: Draw): string {
  return `${d.pick(FIRST_NAMES)} ${d.pick(LAST_NAMES)}`;
}

export function subject(d: Draw): string {
  return d.pick(SUBJECTS);
}

/** Free text; occasionally very long (several KB) to exercise clients. */
export function paragraph(d: Draw): string {
  if (d.chance(0.03)) {
    const parts: string[] = [];
    for (let k = 0; k < 120; k++) parts.push(d.pick(SENTENCES));
    return parts.join(' ');
  }
  const n = d.int(1, 3);
  const parts: string[] = [];
  for (let k = 0; k < n; k++) parts.push(d.pick(SENTENCES));
  return parts.join(' ');
}

export function phone(d: Draw): string {
  return `+1${d.int(201, 989)}${String(d.int(0, 9999999)).padStart(7, '0')}`;
}

export function emailOf(name: string, index: number): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '.');
  return `${ascii || 'user'}.${index}@example.com`;
}
