/**
 * Dates and times as NHS.UK content writes them: "Tuesday 12 January 2027",
 * "4:30pm on Tuesday 12 January 2027", in UK time.
 */

const UK_TIME_ZONE = 'Europe/London';

const dayFormat = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone });

function partsOf(format: Intl.DateTimeFormat, at: Date): Record<string, string> {
  return Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
}

function dayWords(at: Date, timeZone: string): string {
  const { weekday, day, month, year } = partsOf(dayFormat(timeZone), at);
  return `${weekday} ${day} ${month} ${year}`;
}

/** A calendar date, `YYYY-MM-DD`, as "Tuesday 12 January 2027". */
export function longDate(calendarDate: string): string {
  return dayWords(new Date(`${calendarDate}T00:00:00Z`), 'UTC');
}

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: UK_TIME_ZONE,
});

/** A moment as "4:30pm on Tuesday 12 January 2027" (midday and midnight by name), in UK time. */
export function timeAndDate(at: Date): string {
  const { hour, minute } = partsOf(timeFormat, at);
  const hours = Number(hour);
  const minutes = minute ?? '00';
  let time: string;
  if (minutes === '00' && hours === 12) time = 'midday';
  else if (minutes === '00' && hours === 0) time = 'midnight';
  else {
    const twelve = hours % 12 === 0 ? 12 : hours % 12;
    time = `${twelve}${minutes === '00' ? '' : `:${minutes}`}${hours < 12 ? 'am' : 'pm'}`;
  }
  return `${time} on ${dayWords(at, UK_TIME_ZONE)}`;
}
