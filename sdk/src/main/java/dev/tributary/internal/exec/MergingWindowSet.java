package dev.tributary.internal.exec;

import dev.tributary.windowing.MergingWindowAssigner;
import dev.tributary.windowing.Window;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session windows of one key, as Flink's {@code MergingWindowSet}: each window maps to the
 * window whose namespace holds its state, so that merging windows moves no state but the merged
 * ones'. The state window of a merge result is the earliest merged window's.
 */
final class MergingWindowSet {
  /** Receives a merge: merge the state of {@code mergedStateWindows} into {@code stateWindow}. */
  interface MergeFunction {
    void merge(
        Window mergeResult,
        Collection<Window> mergedWindows,
        Window stateWindow,
        Collection<Window> mergedStateWindows);
  }

  final LinkedHashMap<Window, Window> mapping;

  MergingWindowSet(LinkedHashMap<Window, Window> mapping) {
    this.mapping = mapping;
  }

  Window stateWindow(Window window) {
    return mapping.get(window);
  }

  void retireWindow(Window window) {
    if (mapping.remove(window) == null) {
      throw new IllegalStateException("window " + window + " is not in the merging window set");
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  Window addWindow(Window newWindow, MergingWindowAssigner assigner, MergeFunction mergeFunction) {
    List<Window> windows = new ArrayList<>(mapping.keySet());
    windows.add(newWindow);
    Map<Window, Collection<Window>> mergeResults = new LinkedHashMap<>();
    assigner.mergeWindows(
        windows,
        (MergingWindowAssigner.MergeCallback<Window>)
            (toBeMerged, mergeResult) ->
                mergeResults.put(mergeResult, new ArrayList<>(toBeMerged)));

    Window resultWindow = newWindow;
    boolean mergedNewWindow = false;
    for (Map.Entry<Window, Collection<Window>> c : mergeResults.entrySet()) {
      Window mergeResult = c.getKey();
      Collection<Window> mergedWindows = c.getValue();
      if (mergedWindows.remove(newWindow)) {
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      Window mergedStateWindow = mapping.get(mergedWindows.iterator().next());
      List<Window> mergedStateWindows = new ArrayList<>();
      for (Window mergedWindow : mergedWindows) {
        Window res = mapping.remove(mergedWindow);
        if (res != null) {
          mergedStateWindows.add(res);
        }
      }
      mapping.put(mergeResult, mergedStateWindow);
      mergedStateWindows.remove(mergedStateWindow);
      if (!(mergedWindows.contains(mergeResult) && mergedWindows.size() == 1)) {
        mergeFunction.merge(
            mergeResult, mergedWindows, mapping.get(mergeResult), mergedStateWindows);
      }
    }
    if (mergeResults.isEmpty() || (resultWindow.equals(newWindow) && !mergedNewWindow)) {
      mapping.put(resultWindow, resultWindow);
    }
    return resultWindow;
  }
}
