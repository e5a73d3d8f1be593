import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";

import { useExposure, useModeratorExposure } from "../../api/get-exposure";
import type { Exposure } from "../../types";

function WeekBars({ exposure }: { exposure: Exposure }) {
  const most = Math.max(1, ...exposure.days.map((day) => day.count));
  return (
    <div className="exposure-week" aria-hidden="true">
      {exposure.days.map((day) => (
        <span key={day.day} title={`${day.day}: ${day.count}`} style={{ height: `${(day.count / most) * 100}%` }} />
      ))}
    </div>
  );
}

/** The moderator's own exposure: graphic contents revealed today and over the week. */
export function MyExposure() {
  const exposure = useExposure();
  if (exposure.isPending) return <Loading label="Counting…" />;
  if (exposure.isError) return <ErrorMessage error={exposure.error} title="Could not load your exposure" />;
  const data = exposure.data;
  return (
    <div className="stack" data-testid="my-exposure">
      <p>
        Graphic content you revealed today: <strong data-testid="my-exposure-today">{data.today}</strong>; in the last
        seven days: <strong data-testid="my-exposure-week">{data.last_7_days}</strong>.
      </p>
      <WeekBars exposure={data} />
      <p className="hint">
        Each graphic content counts once a day, however often you reveal it. Your managers see these numbers too.
      </p>
    </div>
  );
}

/** The exposure of the moderators the caller manages; nothing for people who manage nobody. */
export function ModeratorsExposure() {
  const [page, setPage] = useState(1);
  const rows = useModeratorExposure(page);
  if (rows.isPending) return <Loading label="Loading moderators…" />;
  if (rows.isError) return <ErrorMessage error={rows.error} title="Could not load the moderators' exposure" />;
  if (rows.data === null) return null;
  return (
    <section className="stack" aria-labelledby="moderators-exposure-title" data-testid="moderators-exposure">
      <h2 id="moderators-exposure-title">Moderators' exposure</h2>
      {rows.data.results.length === 0 ? (
        <p>No moderators yet: give people the moderator role in a policy's project to see their exposure here.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Moderator</th>
                <th scope="col">Today</th>
                <th scope="col">Last 7 days</th>
                <th scope="col">Breaks today</th>
              </tr>
            </thead>
            <tbody>
              {rows.data.results.map((row) => (
                <tr key={row.user_id} data-testid="moderator-exposure-row" data-username={row.username}>
                  <td>{row.username}</td>
                  <td>{row.today}</td>
                  <td>{row.last_7_days}</td>
                  <td>{row.breaks_today}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.data.count > 50 ? (
        <Pagination page={page} count={rows.data.count} pageSize={50} onPageChange={setPage} label="Moderators" />
      ) : null}
    </section>
  );
}
