const TEXT: Record<string, { title: string; body: string }> = {
  teleop: {
    title: 'Teleop & Record',
    body: 'Drive the arm with the leader arm, keyboard or gamepad and record demonstrations as LeRobotDataset v3.0 episodes.',
  },
  episodes: {
    title: 'Episodes',
    body: 'Review recorded demos and RL rollouts: videos from every camera beside joint and action plots, labels and notes.',
  },
  train: {
    title: 'Train',
    body: 'Fine-tune a policy on your demos (SFT), then press Train to improve it by reinforcement learning from success rewards.',
  },
  pushcuts: {
    title: 'Pushcuts',
    body: 'Behaviours that RL discovers and no demonstration contains: when each appeared, how its share grows, and its videos.',
  },
};

/** Panels whose capability has not landed yet say what they will hold, and nothing pretends to work. */
export function PlannedPanel({ id }: { id: string }) {
  const t = TEXT[id];
  return (
    <section className="panel">
      <h1>{t?.title ?? id}</h1>
      <p className="muted">{t?.body}</p>
      <p className="notice">Not available in this build yet.</p>
    </section>
  );
}
