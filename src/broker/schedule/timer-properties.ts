/**
 * RocketMQ 5.x's timer message properties (MessageConst): a producer asks for a delivery time with one of
 * the first three; the broker records the resolved time in TIMER_OUT_MS while the message waits in the
 * timer topic.
 */
export const TimerProperty = {
  DELIVER_MS: 'TIMER_DELIVER_MS',
  DELAY_SEC: 'TIMER_DELAY_SEC',
  DELAY_MS: 'TIMER_DELAY_MS',
  OUT_MS: 'TIMER_OUT_MS',
} as const;

/** Where timer messages wait until their time (RocketMQ 5.x's TimerMessageStore.TIMER_TOPIC). */
export const TIMER_TOPIC = 'rmq_sys_wheel_timer';
