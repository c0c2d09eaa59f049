import i18n from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { zhCN } from './zh-CN';
import { en } from './en';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Where the user's choice of language is remembered (a preference, not a secret). */
export const LANGUAGE_KEY = 'honglian.lang';

function storedLanguage(): Language {
  try {
    const saved = window.localStorage.getItem(LANGUAGE_KEY);
    return saved === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** zh-CN by default; English when the user chose it (remembered in localStorage). */
export async function initI18n(): Promise<typeof i18n> {
  const lng = storedLanguage();
  await i18n.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng,
    fallbackLng: 'zh-CN',
    supportedLngs: [...LANGUAGES],
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = lng;
  i18n.on('languageChanged', (next) => {
    document.documentElement.lang = next;
    try {
      window.localStorage.setItem(LANGUAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  });
  return i18n;
}

/** `zh` or `en`: which half of a bilingual label to show. */
export function useLang(): 'zh' | 'en' {
  const { i18n: current } = useTranslation();
  return current.language === 'en' ? 'en' : 'zh';
}
