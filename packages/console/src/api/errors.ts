/** Text in both languages, as the services give reasons and labels. */
export interface Bilingual {
  zh: string;
  en: string;
}

export interface InvalidParam {
  name: string;
  reason: string;
  reason_zh?: string;
}

const isBilingual = (v: unknown): v is Bilingual =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as Bilingual).zh === 'string' &&
  typeof (v as Bilingual).en === 'string';

/** A problem+json answer (RFC 9457) from the API. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly reason: Bilingual | undefined;
  readonly invalidParams: InvalidParam[];
  /** The whole problem body (extensions such as an import's `report`). */
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    const title = typeof body.title === 'string' ? body.title : `HTTP ${status}`;
    super(title);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.title = title;
    this.detail = typeof body.detail === 'string' ? body.detail : undefined;
    this.reason = isBilingual(body.reason) ? body.reason : undefined;
    this.invalidParams = Array.isArray(body.invalid_params)
      ? body.invalid_params.filter(
          (p): p is InvalidParam =>
            !!p && typeof p === 'object' && typeof (p as InvalidParam).name === 'string',
        )
      : [];
  }

  /** What to tell the user, in their language: the bilingual reason when the service gave one. */
  text(lang: 'zh' | 'en'): string {
    if (this.reason) return this.reason[lang];
    return this.detail ?? this.title;
  }

  /** Each invalid field with its reason in the user's language. */
  fields(lang: 'zh' | 'en'): string[] {
    return this.invalidParams.map(
      (p) => `${p.name}: ${lang === 'zh' ? (p.reason_zh ?? p.reason) : p.reason}`,
    );
  }
}
