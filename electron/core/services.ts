// The app's services, as app-core makes and wires them and the IPC handlers call them.
import type { AclsService } from '../services/acls/service';
import type { ClientMetricsService } from '../services/client-metrics/service';
import type { ClusterService } from '../services/cluster/service';
import type { ConnectionService } from '../services/connections/service';
import type { DemoService } from '../services/demo/service';
import type { EmbeddedClusterService } from '../services/embedded-cluster/service';
import type { GroupsService } from '../services/groups/service';
import type { LagService } from '../services/lag/service';
import type { MessageService } from '../services/messages/service';
import type { ProduceService } from '../services/produce/service';
import type { ReassignmentService } from '../services/reassignments/service';
import type { SchemasService } from '../services/schemas/service';
import type { SettingsService } from '../services/settings/service';
import type { UsersService } from '../services/users/service';
import type { TopicsService } from '../services/topics/service';
import type { TransactionService } from '../services/transactions/service';

/** Every service of the app, each made from a deps object and wired to the others here. */
export interface Services {
  settings: SettingsService;
  embedded: EmbeddedClusterService;
  connections: ConnectionService;
  cluster: ClusterService;
  topics: TopicsService;
  produce: ProduceService;
  groups: GroupsService;
  lag: LagService;
  demo: DemoService;
  messages: MessageService;
  acls: AclsService;
  users: UsersService;
  clientMetrics: ClientMetricsService;
  schemas: SchemasService;
  transactions: TransactionService;
  reassignments: ReassignmentService;
}
