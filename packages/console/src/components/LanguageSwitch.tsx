import { useTranslation } from 'react-i18next';

/** Switches between 中文 and English; the choice is remembered (i18n/index.ts). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const next = i18n.language === 'en' ? 'zh-CN' : 'en';
  return (
    <button
      type="button"
      className="lang-switch"
      data-testid="language-switch"
      onClick={() => void i18n.changeLanguage(next)}
    >
      <span className="sr-only">{t('lang.switchTo')}: </span>
      <span lang={next}>{next === 'en' ? 'English' : '中文'}</span>
    </button>
  );
}
