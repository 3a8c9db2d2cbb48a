import type { SliceCreator } from '../app-store';

export type Screen = 'overview' | 'brokers' | 'topics' | 'topic' | 'produce' | 'cluster' | 'settings' | 'groups' | 'group';

export interface UiSlice {
  screen: Screen;
  selectedTopic: string | null;
  /** The topic the produce form opens on. */
  produceTopic: string | null;
  navigate(screen: Screen): void;
  openTopic(topic: string): void;
  openProduce(topic: string | null): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  screen: 'overview',
  selectedTopic: null,
  produceTopic: null,
  navigate: (screen) => set({ screen }),
  openTopic: (topic) => set({ screen: 'topic', selectedTopic: topic }),
  openProduce: (topic) => set({ screen: 'produce', produceTopic: topic }),
});
