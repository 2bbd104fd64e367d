import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Bid } from '../bids/bid.entity';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';

/**
 * A message between a request's owner and its awarded expert. The conversation belongs to the
 * accepted bid (`bid_id`), not only the request: if the payment window lapses and another bid is
 * accepted, the new expert does not read what was said to the first one.
 */
@Entity('messages')
@Index('IDX_messages_request_created', ['requestId', 'createdAt', 'id'])
@Index('IDX_messages_bid_created', ['bidId', 'createdAt', 'id'])
export class Message {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @ManyToOne(() => HelpRequest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'FK_messages_request' })
  request?: Relation<HelpRequest>;

  @Column({ name: 'bid_id', type: 'uuid' })
  bidId!: string;

  @ManyToOne(() => Bid, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'bid_id', foreignKeyConstraintName: 'FK_messages_bid' })
  bid?: Relation<Bid>;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sender_id', foreignKeyConstraintName: 'FK_messages_sender' })
  sender?: Relation<User>;

  @Column({ type: 'text' })
  body!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
