/**
 * A size in bytes as people read it: the largest unit (1,024 each) that keeps the figure at 1 or
 * more, one decimal past bytes. The console and the emails write sizes with it.
 */
export function bytesInWords(value: number, bytesUnit = 'B'): string {
  const units = [bytesUnit, 'KB', 'MB', 'GB', 'TB'];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${size.toLocaleString('en-US', { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}
