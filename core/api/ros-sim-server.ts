import { SimRobot } from '../hardware/sim/sim-robot';
import { type RobotRosServer, serveRobotOverRos } from '../hardware/virtual/rosbridge';
import { ApiError } from './errors';

/**
 * The simulator served as a ROS robot over rosbridge v2 on 127.0.0.1, so a user can try the ROS
 * path (and point their own ROS tools at it) with no ROS install.
 */
export class RosSimServer {
  private running: { robot: SimRobot; server: RobotRosServer } | null = null;

  async start(port: number, task?: string): Promise<string> {
    await this.stop();
    const robot = new SimRobot({ ...(task ? { task } : {}), cameras: { width: 64, height: 64 } });
    await robot.connect();
    try {
      const server = await serveRobotOverRos(robot, { port });
      this.running = { robot, server };
      return server.url;
    } catch (err) {
      await robot.close();
      const msg = err instanceof Error ? err.message : String(err);
      throw new ApiError(
        'failed',
        `Could not serve the simulator over ROS on port ${port}: ${msg} (try another port)`,
      );
    }
  }

  async stop(): Promise<void> {
    const r = this.running;
    this.running = null;
    if (!r) return;
    await r.server.close();
    await r.robot.close();
  }
}
