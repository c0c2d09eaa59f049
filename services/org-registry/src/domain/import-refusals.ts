import { refuse, type Reason, type Refusal } from '@honglian/service-kit/domain';

/** Why an import is refused as a whole (a row's own problems go in the report instead). */
export const importRefusals = {
  /** A file that cannot be imported as a whole (headers, encoding, an unknown sheet). */
  file: (reason: Reason): Refusal => refuse.invalid(reason),
  sheet: (sheet: string | undefined, reason: Reason): Refusal =>
    refuse.invalid(
      sheet === undefined
        ? reason
        : { zh: `工作表“${sheet}”：${reason.zh}`, en: `worksheet ${sheet}: ${reason.en}` },
    ),
  tooLarge: (maxBytes: number): Refusal =>
    refuse('too-large', `文件超过${maxBytes}字节`, `The file is larger than ${maxBytes} bytes.`),
  workbookNeedsXlsx: (): Refusal =>
    refuse(
      'unsupported-media-type',
      '整城工作簿须为每类一个工作表的.xlsx文件',
      'A workbook import needs an .xlsx file with one worksheet per kind.',
    ),
  workbookTooLong: (maxRows: number): Refusal =>
    refuse.invalid({
      zh: `工作簿超过${maxRows}行，请按类型拆分成多个文件导入`,
      en: `the workbook holds more than ${maxRows} rows; import each kind as a file of its own`,
    }),
  emptyBody: (): Refusal =>
    refuse.badRequest(
      '请求体为空：请把文件作为请求体发送',
      'The request body is empty: send the file as the body.',
    ),
  notCsvOrXlsx: (): Refusal =>
    refuse(
      'unsupported-media-type',
      '请发送CSV（text/csv）或XLSX文件',
      'Send a CSV (text/csv) or an XLSX file.',
    ),
  /**
   * A file with row errors, sent to be applied: nothing is (422), and the body carries the
   * report (`applied: false`, `created: 0`, the rows it would have made under `planned`).
   */
  rejected: (report: { errorCount: number }): Refusal =>
    refuse.invalid(
      `文件有${report.errorCount}处错误，未导入任何数据；请按报告更正后重新发送`,
      `The file has ${report.errorCount} error(s); nothing was imported. Correct the rows the report lists and send it again.`,
      { extras: { report } },
    ),
  /** Only a concurrent change can fail a validated file. */
  changedWhileApplying: (errors: unknown[]): Refusal =>
    refuse.conflict(
      '导入期间登记信息已被修改，请再次发送同一文件以完成导入',
      'The registry changed while the file was being applied; send the same file again to finish.',
      { extras: { errors } },
    ),
};
