//! The advanced session-policy walk (D33): banks in order, gotos followed, UNKNOWN rules forking
//! the walk into paths, each path a list of the policies it applies.

use crate::config::Goto;

/// Most paths one walk explores before the rest of a path is taken as unknown (D33).
pub const MAX_WALK_PATHS: usize = 256;

/// A rule's outcome as the walk sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    True,
    False,
    Unknown,
    /// Neither true nor false (D23); reported `undef` and skipped or stopping the walk.
    Undef,
}

/// What an UNDEF rule does to the walk (D33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum UndefSessionPolicy {
    /// The policy is skipped; the walk goes on.
    #[default]
    Skip,
    /// The walk stops there.
    Stop,
}

/// Which syntax's bindings come first in a configuration that has both (D33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum MixedOrder {
    /// Classic bindings by D17, then the advanced walk.
    #[default]
    ClassicFirst,
    /// The advanced walk, then classic bindings by D17.
    AdvancedFirst,
}

/// One binding of the walk, in bank order.
#[derive(Debug, Clone)]
pub(super) struct Step {
    pub(super) bank: usize,
    pub(super) priority: u32,
    pub(super) goto: Option<Goto>,
    pub(super) outcome: Outcome,
}

/// How one entry of a path takes part in the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Taken {
    /// The policy applies on this path.
    Applied,
    /// The policy may apply: its parameters are candidates (D20).
    Unknown,
    /// The policy was unknown and this path assumes it false (another path assumes it true).
    AssumedFalse,
}

/// Why a path stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stop {
    /// The rest of the walk is UNDEF from this step on (a goto backwards, to a missing priority or
    /// not evaluable, or an UNDEF rule under `Stop`).
    Undef { at: usize, goto: Option<Goto> },
}

/// One path through the walk.
#[derive(Debug, Clone, Default)]
pub(super) struct Path {
    /// `(step, how)` in walk order.
    pub(super) entries: Vec<(usize, Taken)>,
    /// The unknown steps this path assumes true, in walk order.
    pub(super) assumed_true: Vec<usize>,
    /// The step from which the rest of the walk is unknown (`USE_INVOCATION_RESULT`, or the
    /// path limit), with the reason's step.
    pub(super) rest_unknown: Option<RestUnknown>,
    pub(super) stop: Option<Stop>,
}

/// Why the rest of a path is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RestUnknown {
    /// A `USE_INVOCATION_RESULT` goto at this step, with no invocation.
    Invocation(usize),
    /// More than [`MAX_WALK_PATHS`] paths; the path forked no further from this step.
    Limit(usize),
}

/// The outcome of a walk: the paths (the first assumes every unknown rule false) and, per step,
/// whether any path visited it.
#[derive(Debug, Clone)]
pub(super) struct Walk {
    pub(super) paths: Vec<Path>,
    pub(super) visited: Vec<bool>,
}

/// Walks `steps` (already in bank order, priority ascending within a bank) with an explicit
/// stack of pending paths.
pub(super) fn walk(steps: &[Step], undef: UndefSessionPolicy) -> Walk {
    let mut visited = vec![false; steps.len()];
    let mut done = Vec::new();
    // (next step, path so far)
    let mut pending: Vec<(usize, Path)> = vec![(0, Path::default())];
    let mut started = 1;
    while let Some((mut at, mut path)) = pending.pop() {
        while let Some(step) = steps.get(at) {
            if let Some(flag) = visited.get_mut(at) {
                *flag = true;
            }
            let outcome = if path.assumed_true.last() == Some(&at) {
                Outcome::True
            } else {
                step.outcome
            };
            match outcome {
                Outcome::False => at += 1,
                Outcome::Undef => match undef {
                    UndefSessionPolicy::Skip => at += 1,
                    UndefSessionPolicy::Stop => {
                        path.stop = Some(Stop::Undef { at, goto: None });
                        break;
                    }
                },
                Outcome::Unknown if path.rest_unknown.is_some() => {
                    path.entries.push((at, Taken::Unknown));
                    at += 1;
                }
                Outcome::Unknown if started < MAX_WALK_PATHS => {
                    started += 1;
                    let mut fork = path.clone();
                    fork.assumed_true.push(at);
                    pending.push((at, fork));
                    path.entries.push((at, Taken::AssumedFalse));
                    at += 1;
                }
                Outcome::Unknown => {
                    path.rest_unknown = Some(RestUnknown::Limit(at));
                    path.entries.push((at, Taken::Unknown));
                    at += 1;
                }
                // Not known to be reached: its parameters are candidates (D20).
                Outcome::True if path.rest_unknown.is_some() => {
                    path.entries.push((at, Taken::Unknown));
                    at += 1;
                }
                Outcome::True => {
                    path.entries.push((at, Taken::Applied));
                    match next_step(steps, at, step) {
                        Next::Step(next) => at = next,
                        Next::End => break,
                        Next::Undef => {
                            path.stop = Some(Stop::Undef {
                                at,
                                goto: step.goto.clone(),
                            });
                            break;
                        }
                        Next::RestUnknown => {
                            path.rest_unknown = Some(RestUnknown::Invocation(at));
                            at += 1;
                        }
                    }
                }
            }
        }
        done.push(path);
    }
    // The path that assumes every unknown false first, the others in walk order of their forks.
    done.sort_by(|a, b| a.assumed_true.cmp(&b.assumed_true));
    Walk {
        paths: done,
        visited,
    }
}

enum Next {
    Step(usize),
    End,
    Undef,
    RestUnknown,
}

/// Where the walk goes after the true rule at `at` (D33, A6's goto rules).
fn next_step(steps: &[Step], at: usize, step: &Step) -> Next {
    match &step.goto {
        None | Some(Goto::End) => Next::End,
        Some(Goto::Next) => Next::Step(at + 1),
        Some(Goto::UseInvocationResult) => Next::RestUnknown,
        Some(Goto::Expression(_)) => Next::Undef,
        Some(Goto::Priority(target)) if *target <= step.priority => Next::Undef,
        Some(Goto::Priority(target)) => {
            let bank = steps
                .iter()
                .enumerate()
                .skip(at + 1)
                .take_while(|(_, s)| s.bank == step.bank);
            let mut last = step.priority;
            for (i, s) in bank {
                if s.priority == *target {
                    return Next::Step(i);
                }
                last = s.priority;
            }
            if *target > last {
                Next::End
            } else {
                Next::Undef
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(bank: usize, priority: u32, goto: Option<Goto>, outcome: Outcome) -> Step {
        Step {
            bank,
            priority,
            goto,
            outcome,
        }
    }

    fn applied(path: &Path) -> Vec<usize> {
        path.entries
            .iter()
            .filter(|(_, t)| *t == Taken::Applied)
            .map(|(s, _)| *s)
            .collect()
    }

    #[test]
    fn next_crosses_banks_and_end_stops_the_walk() {
        let steps = [
            step(0, 10, Some(Goto::Next), Outcome::True),
            step(1, 5, Some(Goto::End), Outcome::True),
            step(2, 1, None, Outcome::True),
        ];
        let w = walk(&steps, UndefSessionPolicy::Skip);
        assert_eq!(w.paths.len(), 1);
        assert_eq!(applied(&w.paths[0]), [0, 1]);
        assert_eq!(w.visited, [true, true, false]);
    }

    #[test]
    fn numbers_jump_within_the_bank() {
        let steps = [
            step(0, 10, Some(Goto::Priority(30)), Outcome::True),
            step(0, 20, None, Outcome::True),
            step(0, 30, Some(Goto::Priority(99)), Outcome::True),
            step(1, 1, None, Outcome::True),
        ];
        let w = walk(&steps, UndefSessionPolicy::Skip);
        assert_eq!(applied(&w.paths[0]), [0, 2]);
        assert_eq!(w.paths[0].stop, None);
        let back = [
            step(0, 10, Some(Goto::Priority(5)), Outcome::True),
            step(0, 20, None, Outcome::True),
        ];
        let w = walk(&back, UndefSessionPolicy::Skip);
        assert!(matches!(w.paths[0].stop, Some(Stop::Undef { at: 0, .. })));
        let missing = [
            step(0, 10, Some(Goto::Priority(15)), Outcome::True),
            step(0, 20, None, Outcome::True),
        ];
        let w = walk(&missing, UndefSessionPolicy::Skip);
        assert!(matches!(w.paths[0].stop, Some(Stop::Undef { at: 0, .. })));
    }

    #[test]
    fn unknown_rules_fork_and_the_limit_holds() {
        let steps = [
            step(0, 10, None, Outcome::Unknown),
            step(0, 20, None, Outcome::True),
        ];
        let w = walk(&steps, UndefSessionPolicy::Skip);
        assert_eq!(w.paths.len(), 2);
        assert_eq!(applied(&w.paths[0]), [1]);
        assert_eq!(applied(&w.paths[1]), [0]);
        let many: Vec<Step> = (0..20)
            .map(|i| step(0, i, Some(Goto::Next), Outcome::Unknown))
            .collect();
        let w = walk(&many, UndefSessionPolicy::Skip);
        assert_eq!(w.paths.len(), MAX_WALK_PATHS);
        assert!(w.paths.iter().any(|p| p.rest_unknown.is_some()));
    }

    #[test]
    fn undef_rules_are_skipped_or_stop() {
        let steps = [
            step(0, 10, None, Outcome::Undef),
            step(0, 20, None, Outcome::True),
        ];
        let w = walk(&steps, UndefSessionPolicy::Skip);
        assert_eq!(applied(&w.paths[0]), [1]);
        let w = walk(&steps, UndefSessionPolicy::Stop);
        assert!(applied(&w.paths[0]).is_empty());
    }
}
