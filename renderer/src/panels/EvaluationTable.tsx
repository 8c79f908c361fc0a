import type { CommandResult } from '../../../core/api/contract';
import { pct } from '../format';

type Evaluation = NonNullable<CommandResult<'runs.list'>[number]['evaluation']>;

/** A run's latest greedy evaluation: per task, how far episodes got and how many succeeded. */
export function EvaluationTable({ evaluation: e }: { evaluation: Evaluation }) {
  const n = e.episodesPerTask;
  const region =
    e.layoutSpread === undefined
      ? 'objects anywhere'
      : `objects within ±${(e.layoutSpread * 100).toFixed(1)} cm`;
  return (
    <table className="episode-list small">
      <caption>
        {`Greedy evaluation, ${n} new layout${n === 1 ? '' : 's'} per task: how far episodes got (${region})`}
      </caption>
      <thead>
        <tr>
          <th>task</th>
          <th title="episodes where the gripper touched an object">touched</th>
          <th title="episodes where both fingers touched the same object">grasped</th>
          <th title="episodes where a held object rose 3 cm">lifted</th>
          <th>success</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(e.successByTask).map(([task, v]) => {
          const stages = e.stagesByTask?.[task];
          return (
            <tr key={task} data-testid={`eval-row-${task}`}>
              <td>{task}</td>
              <td>{pct(stages?.touched)}</td>
              <td>{pct(stages?.grasped)}</td>
              <td>{pct(stages?.lifted)}</td>
              <td>{pct(v)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
