package dev.tributary.state.dynamodb;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Lets concurrent writers make their DynamoDB calls one at a time, in an order the test chooses:
 * each writer's client stops before every call until the test grants it. Between calls writers run
 * freely; the test waits until every writer is stopped or finished before it picks the next one. A
 * writer that makes several calls at once (the due-timer queries of its key groups) has them
 * granted one by one, each as one step.
 */
final class Sequencer {
  private enum State {
    RUNNING,
    WAITING,
    DONE
  }

  private final State[] states;
  private final int[] granted;
  private final int[] arrived;

  Sequencer(int writers) {
    states = new State[writers];
    granted = new int[writers];
    arrived = new int[writers];
    java.util.Arrays.fill(states, State.RUNNING);
  }

  /** The interceptor for writer {@code w}'s client. */
  ExecutionInterceptor gate(int w) {
    return new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        arrive(w);
      }
    };
  }

  private synchronized void arrive(int w) {
    states[w] = State.WAITING;
    arrived[w]++;
    notifyAll();
    long deadline = System.currentTimeMillis() + 60_000;
    while (granted[w] == 0) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new IllegalStateException("writer " + w + " was never granted its call");
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    granted[w]--;
    arrived[w]--;
    // the writer's other calls made at the same time still wait for their turn
    states[w] = arrived[w] > 0 ? State.WAITING : State.RUNNING;
    notifyAll();
  }

  /** Writer {@code w} has finished (or failed). */
  synchronized void done(int w) {
    states[w] = State.DONE;
    notifyAll();
  }

  /** Waits until no writer is running; returns the waiting ones (empty when all are done). */
  synchronized List<Integer> waiting() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      boolean running = false;
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < states.length; i++) {
        running |= states[i] == State.RUNNING;
        if (states[i] == State.WAITING) {
          out.add(i);
        }
      }
      if (!running) {
        return out;
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new IllegalStateException("a writer neither called DynamoDB nor finished in 60 s");
      }
      wait(left);
    }
  }

  /**
   * Grants the writers' calls one at a time until all are done: the {@code i}-th goes to the
   * waiting writer {@code choices[i]} picks (modulo how many wait; the first one once the choices
   * run out).
   */
  void play(List<Integer> choices) throws InterruptedException {
    int step = 0;
    List<Integer> waiting;
    while (!(waiting = waiting()).isEmpty()) {
      int choice = step < choices.size() ? choices.get(step) : 0;
      grant(waiting.get(choice % waiting.size()));
      step++;
    }
  }

  /** One grant: the writers that waited at that moment, and the one granted. */
  record Step(List<Integer> waiting, int granted) {}

  /**
   * Grants the writers' calls one at a time until all are done: the {@code i}-th to writer {@code
   * prefix.get(i)}, which must be waiting (a replay that finds it running or done has diverged);
   * after the prefix, to the writer granted last while it waits, else to the lowest waiting one, so
   * that nothing after the prefix preempts a writer. Returns the steps taken.
   */
  List<Step> playFrom(List<Integer> prefix) throws InterruptedException {
    List<Step> steps = new ArrayList<>();
    int last = -1;
    List<Integer> waiting;
    while (!(waiting = waiting()).isEmpty()) {
      int w;
      if (steps.size() < prefix.size()) {
        w = prefix.get(steps.size());
        if (!waiting.contains(w)) {
          throw new IllegalStateException(
              "replay diverged at step "
                  + steps.size()
                  + ": writer "
                  + w
                  + " is not waiting, "
                  + waiting
                  + " are; prefix "
                  + prefix);
        }
      } else {
        w = waiting.contains(last) ? last : waiting.get(0);
      }
      steps.add(new Step(List.copyOf(waiting), w));
      grant(w);
      last = w;
    }
    return steps;
  }

  /**
   * Preemptions in {@code steps}: grants to another writer while the writer granted last was
   * waiting too.
   */
  static int preemptions(List<Step> steps) {
    int n = 0;
    for (int i = 1; i < steps.size(); i++) {
      int last = steps.get(i - 1).granted();
      if (steps.get(i).granted() != last && steps.get(i).waiting().contains(last)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Runs every schedule of the writers with at most {@code bound} preemptions, each once (stateless
   * search: {@code run} replays a prefix from the start with {@link #playFrom} on fresh writers and
   * returns the steps; a schedule branches only after its prefix). Returns how many ran.
   */
  static int explore(int bound, ScheduleRun run) throws Exception {
    java.util.ArrayDeque<List<Integer>> todo = new java.util.ArrayDeque<>();
    todo.push(List.of());
    int schedules = 0;
    while (!todo.isEmpty()) {
      List<Integer> prefix = todo.pop();
      List<Step> steps = run.run(prefix);
      schedules++;
      for (int i = steps.size() - 1; i >= prefix.size(); i--) {
        List<Step> before = steps.subList(0, i);
        int spent = preemptions(before);
        int last = i == 0 ? -1 : steps.get(i - 1).granted();
        for (int w : steps.get(i).waiting()) {
          if (w == steps.get(i).granted()) {
            continue;
          }
          int cost = steps.get(i).waiting().contains(last) && w != last ? 1 : 0;
          if (spent + cost <= bound) {
            List<Integer> next = new ArrayList<>(before.stream().map(Step::granted).toList());
            next.add(w);
            todo.push(next);
          }
        }
      }
    }
    return schedules;
  }

  /** One schedule of {@link #explore}: replays {@code prefix} and returns the steps taken. */
  @FunctionalInterface
  interface ScheduleRun {
    List<Step> run(List<Integer> prefix) throws Exception;
  }

  /** Lets writer {@code w} make its next call. */
  synchronized void grant(int w) {
    granted[w]++;
    states[w] = State.RUNNING;
    notifyAll();
  }
}
