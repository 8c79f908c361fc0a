import type { Observation, Robot, RobotFeatures, TorqueMode } from '../../core/hardware/robot';
import { SO101_JOINTS } from '../../core/hardware/robot';

/** A Robot whose joints move a fixed fraction toward their targets on every observe(): for API unit tests. */
export class FirstOrderRobot implements Robot {
  readonly backend = 'sim';
  readonly features: RobotFeatures = {
    joints: [...SO101_JOINTS],
    limits: SO101_JOINTS.map((j) => (j === 'gripper' ? { min: 0, max: 100 } : { min: -110, max: 110 })),
    cameras: [{ name: 'front', width: 4, height: 4 }],
    robotType: 'test_arm',
  };
  state = [0, 0, 0, 0, 0, 50];
  target: number[] | null = null;
  acts: number[][] = [];
  estops = 0;
  closed = false;
  private t0 = performance.now();

  async connect(): Promise<void> {}
  async observe(): Promise<Observation> {
    if (this.target) this.state = this.state.map((v, i) => v + 0.5 * (this.target![i]! - v));
    const data = new Uint8Array(4 * 4 * 3).fill(Math.round(Math.abs(this.state[0]!)) % 256);
    return {
      state: [...this.state],
      images: { front: { width: 4, height: 4, data } },
      t: (performance.now() - this.t0) / 1000,
    };
  }
  async act(target: number[]): Promise<void> {
    this.acts.push([...target]);
    this.target = [...target];
  }
  async torque(_mode: TorqueMode): Promise<void> {}
  async estop(): Promise<void> {
    this.estops++;
    this.target = null;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
