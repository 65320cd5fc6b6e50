/**
 * Outdoor conditions as a function of time and place only, shared by every device so that
 * neighbours agree (a cheat detector can compare them). Mid-latitude climate: seasonal and daily
 * temperature cycles, pressure systems passing over days.
 */
export interface Weather {
  readonly temperatureC: number;
  /** Departure of the temperature from its daily mean (drives relative humidity). */
  readonly diurnalC: number;
  readonly pressureHpa: number;
  readonly humidityPct: number;
  /** Sunlight on an open surface in lux. */
  readonly daylightLux: number;
}

const DAY_MS = 86_400_000;
const TAU = 2 * Math.PI;

export function weatherAt(tMs: number, lat: number, lon: number): Weather {
  const days = tMs / DAY_MS;
  const dayOfYear = days % 365.25;
  const solarHour = ((((tMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000 + lon / 15 + 24) % 24;
  // Coldest mid-January, warmest mid-July; colder towards the poles.
  const seasonal = 10 - 9 * Math.cos((TAU * (dayOfYear - 15)) / 365.25) - 0.4 * (Math.abs(lat) - 52);
  const synoptic = 3 * Math.sin((TAU * days) / 5.3) + 1.5 * Math.sin((TAU * days) / 2.1 + 1);
  const diurnalC = 5 * Math.sin((TAU * (solarHour - 9)) / 24);
  const temperatureC = seasonal + synoptic + diurnalC;
  const pressureHpa = 1013 + 9 * Math.sin((TAU * days) / 4.3) + 4 * Math.sin((TAU * days) / 1.7 + 2);
  const humidityPct = 72 - 3 * diurnalC + 8 * Math.sin((TAU * days) / 3.1 + 0.5);
  // Half the day length: ±3.5 h around 12 h over the year at mid-latitudes.
  const halfDayH = 6 - 3.5 * Math.cos((TAU * (dayOfYear + 10)) / 365.25);
  const sun = Math.sin((Math.PI * (solarHour - (12 - halfDayH))) / (2 * halfDayH));
  const cloud = 0.65 + 0.35 * Math.sin((TAU * days) / 2.7);
  const daylightLux = sun > 0 && solarHour > 12 - halfDayH && solarHour < 12 + halfDayH ? 60_000 * sun * cloud : 0;
  return { temperatureC, diurnalC, pressureHpa, humidityPct, daylightLux };
}
