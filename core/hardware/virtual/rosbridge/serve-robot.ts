import type { Robot } from '../../robot';
import { RobotRosNode, type RobotRosNodeOptions } from './robot-ros-node';
import { RosbridgeServer, type RosbridgeServerOptions } from './rosbridge-server';

export interface RobotRosServer {
  readonly server: RosbridgeServer;
  readonly node: RobotRosNode;
  readonly port: number;
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** Stop the node and the server (the robot stays connected; close it yourself). */
  close(): Promise<void>;
}

/**
 * Serve a connected Robot as a ROS robot over rosbridge v2 on 127.0.0.1.
 *
 *   const robot = new KinematicRobot(); await robot.connect();
 *   const ros = await serveRobotOverRos(robot, { port: 9090, publishHz: 30 });
 *   // roslib / RosRobot clients connect to ros.url
 *   await ros.close();
 */
export async function serveRobotOverRos(
  robot: Robot,
  options: RosbridgeServerOptions & RobotRosNodeOptions = {},
): Promise<RobotRosServer> {
  const server = new RosbridgeServer(options);
  const node = new RobotRosNode(server, robot, options);
  await node.start();
  try {
    await server.start();
  } catch (e) {
    node.stop();
    throw e;
  }
  return {
    server,
    node,
    port: server.port,
    url: server.url,
    close: async () => {
      node.stop();
      await server.close();
    },
  };
}
