import type { ReactNode } from 'react';
import type { Bilingual } from '../api/errors';
import type { Colour } from '../api/types';
import { useLang } from '../i18n';

/** A red / yellow / grey rating (red is best). */
export function ColourBadge({ colour, label }: { colour: Colour; label?: Bilingual }) {
  const lang = useLang();
  const text = label?.[lang] ?? colour;
  return <span className={`badge colour-${colour}`}>{text}</span>;
}

/** A bilingual label from the API, in the user's language. */
export function Bi({ label }: { label: Bilingual | null | undefined }) {
  const lang = useLang();
  return <>{label ? label[lang] : '—'}</>;
}

export function StatusBadge({
  tone,
  children,
}: {
  tone: 'ok' | 'warn' | 'bad' | 'info';
  children: ReactNode;
}) {
  return <span className={`badge tone-${tone}`}>{children}</span>;
}
