import { chooseXrayMode } from '../config';

/**
 * Loaded before Powertools Tracer (which loads the AWS X-Ray SDK). In its default, automatic mode
 * the X-Ray SDK creates a `cls-hooked` namespace as it loads: an async hook on every promise and
 * callback of the process, paid whether anything is traced or not (aws/aws-xray-sdk-node#420). Where
 * Tracer will trace nothing (the twin, the tests, a stack with POWERTOOLS_TRACE_ENABLED=false) the
 * SDK loads in manual mode, which creates no hook: on the twin, 7–12 % of the process's CPU per
 * request (docs/benchmarks.md). Where Tracer traces (Lambda with active tracing) nothing changes:
 * its subsegments need the automatic mode's context.
 */
chooseXrayMode();
