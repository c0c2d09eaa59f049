import { InProcessEventBus } from '../src/index.js';
import { eventBusContract } from './support/contract.js';

eventBusContract('in-process', async () => {
  const bus = new InProcessEventBus({ partitions: 3 });
  await bus.start();
  return {
    bus,
    publishRaw: (topic, message) => bus.publishRaw(topic, message),
    eventually: async (assertion) => {
      await bus.whenIdle();
      assertion();
    },
    teardown: () => bus.stop(),
  };
});
