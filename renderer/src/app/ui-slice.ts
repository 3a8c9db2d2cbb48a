import type { SliceCreator } from '../store/app-store';
import type { ScreenId } from './screens';

/** A screen of the registry (app/screens.tsx). */
export type Screen = ScreenId;

/** A record to send again: the produce form opens filled with it ("Produce again" in the message browser). */
export interface ProduceDraft {
  topic: string;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string }[];
  partition: number | null;
}

export interface UiSlice {
  screen: Screen;
  selectedTopic: string | null;
  /** The topic the produce form opens on. */
  produceTopic: string | null;
  produceDraft: ProduceDraft | null;
  navigate: (screen: Screen) => void;
  openTopic: (topic: string) => void;
  openProduce: (topic: string | null) => void;
  openProduceWith: (draft: ProduceDraft) => void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  screen: 'overview',
  selectedTopic: null,
  produceTopic: null,
  produceDraft: null,
  navigate: (screen) => set({ screen }),
  openTopic: (topic) => set({ screen: 'topic', selectedTopic: topic }),
  openProduce: (topic) => set({ screen: 'produce', produceTopic: topic, produceDraft: null }),
  openProduceWith: (draft) => set({ screen: 'produce', produceTopic: draft.topic, produceDraft: draft }),
});
